"""The engine on three Kafka brokers with replication factor 3 and min.insync.replicas 2: one
broker SIGKILLed in the middle of the load loses nothing — every instance completes, every
job completes once, no record of an aborted transaction is visible."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from broker.kafka_cluster import LocalCluster
from broker.topics import TopicSettings, ensure_topics
from clients.kafka_offsets import KafkaReadError
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client,
    EngineProcess,
    Worker,
    completed_instances,
    deploy_and_wait,
    events_of,
    read_all,
    wait_until_serving,
)

# Opt-in (`make test-three-brokers`): on a loaded 2-core machine the brokers' leader election
# after the SIGKILL sometimes outlasted this test's reads (seen once in CI-like runs), so the
# soak is kept out of `make test` until it is reliable there; the broker-level three-node
# test (tests/broker/test_kafka_three_nodes.py) stays in it.
pytestmark = [
    pytest.mark.kafka,
    pytest.mark.cluster,
    pytest.mark.timeout(420),
    pytest.mark.skipif(
        os.environ.get("HONEYFLOW_THREE_BROKER_ENGINE") != "1",
        reason="opt-in: make test-three-brokers (HONEYFLOW_THREE_BROKER_ENGINE=1)",
    ),
]
PARTITIONS = 2
INSTANCES = 300


def leader_of(bootstrap: str, topic: str, partition: int) -> int:
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=30)
    return int(metadata.topics[topic].partitions[partition].leader)


def test_a_broker_killed_during_load_loses_nothing(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "kafka")
    engines: list[EngineProcess] = []
    worker: Worker | None = None
    try:
        spec = cluster.up(3, base_port=0)
        bootstrap = spec.bootstrap
        topics = TopicSettings(prefix="rf3.", partitions=PARTITIONS, replication_factor=3)
        assert topics.min_insync_replicas == 2
        ensure_topics({"bootstrap.servers": bootstrap}, topics.core_topics())
        engines = [
            EngineProcess(
                bootstrap, topics.prefix, tmp_path / name, PARTITIONS, "--replication-factor", "3"
            )
            for name in ("a", "b")
        ]
        wait_until_serving(bootstrap, topics, engines, seconds=120)
        client = Client(bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process(), seconds=60)
        for i in range(INSTANCES):
            client.send(commands.create_instance("one-task", {"i": i}))
        client.flush()
        worker = Worker(client, "work")
        records: list[dict[str, Any]] = []

        def completed_at_least(n: int) -> Callable[[], bool]:
            def check() -> bool:
                try:
                    records[:] = read_all(bootstrap, topics.events, PARTITIONS)
                except KafkaReadError:
                    # Our own read of the audit log hit the leader election; the engine is
                    # judged by run_until's deadline, not by this read.
                    return False
                return len(completed_instances(records)) >= n

            return check

        def run_until(condition: Callable[[], bool], seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while not condition():
                for engine in engines:
                    assert engine.process.poll() is None, engine.log()[-3000:]
                assert time.monotonic() < deadline, engines[0].log()[-3000:]
                assert worker is not None
                worker.poll(1.0)

        run_until(completed_at_least(INSTANCES // 4), 120)
        # The leader of a commands partition: its engine's reads, transactions and job
        # topics all have to move to the other brokers.
        victim = leader_of(bootstrap, topics.commands, 0)
        cluster.stop_node(victim, kill=True)
        run_until(completed_at_least(INSTANCES), 240)
    finally:
        if worker is not None:
            worker.close()
        for engine in engines:
            engine.stop()
        cluster.down()

    assert len(completed_instances(records)) == INSTANCES
    element_completions = Counter(
        r["key"] for r in events_of(records, "PROCESS_INSTANCE", "ELEMENT_COMPLETED")
    )
    assert len(element_completions) == 4 * INSTANCES  # process, start, task, end of each
    assert set(element_completions.values()) == {1}
    job_completions = Counter(r["key"] for r in events_of(records, "JOB", "COMPLETED"))
    assert len(job_completions) == INSTANCES and set(job_completions.values()) == {1}
    positions = Counter((r["partitionId"], r["position"]) for r in records)
    assert set(positions.values()) == {1}  # no record of an aborted transaction is visible
