"""Three secure nodes: brokers replicate to each other over SASL_SSL and reach the controllers
over mutual TLS; clients are refused without the right password and kept to their ACLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient

from broker.kafka_cluster import LocalCluster
from broker.kafka_config import ClientConfig, client_config
from broker.topics import TopicSettings, ensure_topics
from tests.conftest import pids_of

pytestmark = [pytest.mark.kafka, pytest.mark.cluster, pytest.mark.slow]


def delivery_error(config: ClientConfig, topic: str) -> str | None:
    errors: list[KafkaError | None] = []
    producer = Producer({**config, "acks": "all", "message.timeout.ms": 30000})
    producer.produce(topic, b"{}", on_delivery=lambda err, _msg: errors.append(err))
    producer.flush(60)
    assert len(errors) == 1, "no delivery report within 60 s"
    return None if errors[0] is None else str(errors[0].name())


def refusal(config: ClientConfig) -> list[str]:
    seen: list[KafkaError] = []
    admin = AdminClient({**config, "error_cb": seen.append, "log_level": 0})
    with pytest.raises(KafkaException):
        admin.list_topics(timeout=5)
    admin.poll(0)
    return [e.name() for e in seen]


def test_a_secure_three_node_cluster_replicates_and_keeps_each_principal_to_its_acls(
    tmp_path: Path,
) -> None:
    cluster = LocalCluster(tmp_path / "secure3")
    spec = cluster.up(3, base_port=0, secure=True)
    try:
        credentials = cluster.directory / "credentials"
        admin = cluster.admin_config(spec)
        topics = TopicSettings(partitions=3, replication_factor=3)
        ensure_topics(admin, topics.core_topics())
        described = AdminClient(admin).list_topics(topics.commands, timeout=30)
        partitions = described.topics[topics.commands].partitions.values()
        assert all(len(p.replicas) == 3 for p in partitions)

        operator = client_config(spec.bootstrap, config_file=credentials / "operator.properties")
        assert delivery_error(operator, topics.commands) is None  # acks=all: on 3 replicas
        reader = client_config(spec.bootstrap, config_file=credentials / "reader.properties")
        assert delivery_error(reader, topics.commands) == "TOPIC_AUTHORIZATION_FAILED"

        wrong = {**operator, "sasl.password": "not-the-password"}
        assert "_AUTHENTICATION" in refusal(wrong)
        plaintext = {"bootstrap.servers": spec.bootstrap}
        assert "_AUTHENTICATION" not in refusal(plaintext)  # refused before any SASL
    finally:
        cluster.down()
    assert pids_of(cluster.directory) == []
