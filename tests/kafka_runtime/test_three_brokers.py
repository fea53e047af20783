"""The engine on three Kafka brokers with replication factor 3 and min.insync.replicas 2: one
broker SIGKILLed in the middle of the load loses nothing — every instance completes, every
job completes once, no record of an aborted transaction is visible."""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from broker.kafka_cluster import LocalCluster
from broker.topics import TopicSettings, ensure_topics
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

pytestmark = [pytest.mark.kafka, pytest.mark.cluster, pytest.mark.timeout(420)]
PARTITIONS = 2
INSTANCES = 300
RATE = 30
"""Instances created per second: the load goes on while the broker is down (about 10 s)."""


def leader_of(bootstrap: str, topic: str, partition: int) -> int:
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=30)
    return int(metadata.topics[topic].partitions[partition].leader)


class AuditLogTail:
    """The audit log as a reader that stays connected sees it: one read_committed consumer on
    every partition, which follows the partitions' new leaders by itself when a broker dies
    (a fresh reader per look would ask a dead leader for offsets until the election ends)."""

    def __init__(self, bootstrap: str, topic: str, partitions: int) -> None:
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"audit-{uuid.uuid4().hex[:8]}",
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
            }
        )
        self._consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)]
        )
        self.completed: set[int] = set()

    def read(self, seconds: float) -> None:
        for message in self._consumer.consume(1000, seconds):
            if message.error() is None:
                self.completed |= completed_instances([json.loads(message.value())])

    def close(self) -> None:
        self._consumer.close()


def longest_pause(records: list[dict[str, Any]], partition_id: int, around: float) -> float:
    """Seconds between the engine's last record of the partition before `around` (epoch
    seconds) and its first one after: how long the engine stood still there."""
    stamps = sorted(r["timestamp"] / 1000 for r in records if r["partitionId"] == partition_id)
    before = [t for t in stamps if t <= around]
    after = [t for t in stamps if t > around]
    return (after[0] - before[-1]) if before and after else float("nan")


def test_a_broker_killed_during_load_loses_nothing(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "kafka")
    engines: list[EngineProcess] = []
    worker: Worker | None = None
    audit: AuditLogTail | None = None
    try:
        spec = cluster.up(3, base_port=0)
        bootstrap = spec.bootstrap
        topics = TopicSettings(prefix="rf3.", partitions=PARTITIONS, replication_factor=3)
        assert topics.min_insync_replicas == 2
        ensure_topics({"bootstrap.servers": bootstrap}, topics.core_topics())
        # No --replication-factor: the engines' default on three brokers is that of the topics.
        engines = [
            EngineProcess(bootstrap, topics.prefix, tmp_path / name, PARTITIONS)
            for name in ("a", "b")
        ]
        wait_until_serving(bootstrap, topics, engines, seconds=120)
        client = Client(bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process(), seconds=60)
        worker = Worker(client, "work")
        audit = AuditLogTail(bootstrap, topics.events, PARTITIONS)
        started = time.monotonic()
        sent = 0

        def run_until_completed(n: int, seconds: float) -> None:
            nonlocal sent
            assert audit is not None and worker is not None
            deadline = time.monotonic() + seconds
            while len(audit.completed) < n:
                for engine in engines:
                    assert engine.process.poll() is None, engine.log()[-3000:]
                assert time.monotonic() < deadline, engines[0].log()[-3000:]
                due = min(INSTANCES, int((time.monotonic() - started) * RATE))
                while sent < due:
                    client.send(commands.create_instance("one-task", {"i": sent}))
                    sent += 1
                worker.poll(0.2)
                audit.read(0.1)

        run_until_completed(INSTANCES // 4, 120)
        # The leader of a commands partition: its engine's reads, transactions and job
        # topics all have to move to the other brokers.
        victim = leader_of(bootstrap, topics.commands, 0)
        killed_at = time.time()
        cluster.stop_node(victim, kill=True)
        run_until_completed(INSTANCES, 240)
        # What a user checks afterwards: the whole audit log, read from the start.
        records = read_all(bootstrap, topics.events, PARTITIONS)
    finally:
        if audit is not None:
            audit.close()
        if worker is not None:
            worker.close()
        for engine in engines:  # all at once: no hand-over to an engine about to stop
            if engine.process.poll() is None:
                engine.process.send_signal(signal.SIGTERM)
        for engine in engines:
            engine.stop()
        cluster.down()

    # Reported, not asserted (docs/operations.md, Failure): shown by `make test-three-brokers`.
    pauses = ", ".join(
        f"partition {p}: {longest_pause(records, p, killed_at):.1f} s"
        for p in range(1, PARTITIONS + 1)
    )
    print(f"broker {victim} killed; the engine stood still for {pauses}")
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
