"""Where the test session's Kafka comes from: `HONEYFLOW_TEST_KAFKA=local` (the default) starts
one node with the local launcher (`broker.kafka_cluster.LocalCluster`, Kafka 4.1.1 jars);
`=docker` takes a broker from testcontainers' Kafka module, where a Docker engine answers.
Asking for docker where none answers is an error that says so, never a silent fall-back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

VARIABLE: Final = "HONEYFLOW_TEST_KAFKA"
SOURCES: Final = ("local", "docker")
IMAGE: Final = "confluentinc/cp-kafka:7.9.0"
"""Kafka 3.9 in KRaft mode: a Confluent image, the kind testcontainers' Kafka module starts."""

# As the local launcher's single node (broker/kafka_cluster.py): transactions on one node,
# topics created as code only, no rebalance delay, short sessions allowed.
BROKER_ENV: Final = {
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS": "10",
    "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "10",
    "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
    "KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS": "1000",
}


class KafkaSourceError(Exception):
    """The Kafka the session was asked for cannot be had."""


def kafka_source(environ: Mapping[str, str]) -> str:
    """'local' or 'docker', from HONEYFLOW_TEST_KAFKA (unset or empty: local)."""
    wanted = environ.get(VARIABLE, "").strip().lower() or "local"
    if wanted not in SOURCES:
        raise KafkaSourceError(
            f"{VARIABLE}={environ.get(VARIABLE)!r}: expected one of {', '.join(SOURCES)}"
        )
    return wanted


def describe(source: str) -> str:
    """The pytest header line that says which Kafka the session uses."""
    if source == "docker":
        return f"kafka: testcontainers, {IMAGE} ({VARIABLE}=docker)"
    return f"kafka: local launcher, broker/kafka_cluster.py ({VARIABLE}=docker for testcontainers)"


def docker_client(environ: Mapping[str, str]) -> Any:
    """A client of the Docker engine that answered a ping; KafkaSourceError naming the engine
    asked (DOCKER_HOST or the default socket) when none does."""
    import docker
    from docker.errors import DockerException

    where = environ.get("DOCKER_HOST") or "the default socket (unix:///var/run/docker.sock)"
    try:
        client = docker.DockerClient.from_env(environment=dict(environ))
        client.ping()
    except DockerException as error:
        raise KafkaSourceError(
            f"{VARIABLE}=docker asks for Kafka from testcontainers, but no Docker engine"
            f" answers at {where}: {error}. Start Docker, or unset {VARIABLE} to use the"
            " local launcher."
        ) from None
    return client


@contextmanager
def docker_kafka(environ: Mapping[str, str]) -> Iterator[str]:
    """A Kafka broker in a container; yields its bootstrap address, removes it afterwards."""
    docker_client(environ).close()
    from testcontainers.community.kafka import KafkaContainer

    container = KafkaContainer(IMAGE).with_kraft()
    for key, value in BROKER_ENV.items():
        container.with_env(key, value)
    with container:
        yield container.get_bootstrap_server()
