"""Jobs never fall out of reach (#10 item 14): a job topic is compacted, so a job's record
stays until the job ends, however long nobody takes it; a worker that starts after the
record would have expired under a retention still gets the job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

from broker.kafka_cluster import LocalCluster
from broker.topics import TopicSettings, TopicSpec, ensure_topics
from clients.kafka_offsets import watermarks
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client,
    EngineProcess,
    Worker,
    completed_instances,
    deploy_and_wait,
    events_of,
    read_all,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]
RETENTION = {"retention.ms": "1000", "segment.ms": "1000"}
"""Seven days, shortened: what deleted a job nobody took before."""


def shorten_retention(bootstrap: str, topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(
        "topic",
        topic,
        incremental_configs=[
            ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
            for k, v in RETENTION.items()
        ],
    )
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(30)


def raw_records(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    """(key, value) of every committed record of partition 0, tombstones included."""
    reader = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "raw-reader",
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
        }
    )
    try:
        reader.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        return [(m.key(), m.value()) for m in reader.consume(100, 5) if not m.error()]
    finally:
        reader.close()


@pytest.fixture
def kafka_bootstrap(tmp_path: Path) -> Iterator[str]:
    """A node of its own that applies retention every second (Kafka: every five minutes)."""
    cluster = LocalCluster(tmp_path / "kafka", properties={"log.retention.check.interval.ms": 1000})
    try:
        yield cluster.up(1, base_port=0).bootstrap
    finally:
        cluster.down()


def test_a_worker_that_starts_after_the_retention_still_gets_the_job(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=1)
    job_topic = topics.job_topic("work").name
    engine = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "e", 1)
    try:
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process())
        # One job done at once (its record gets a tombstone), one nobody takes for now.
        client.send(commands.create_instance("one-task", {"n": 1}), 1)
        client.flush()
        early = Worker(client, "work", "early")
        deadline = time.monotonic() + 60
        while early.completed < 1 and time.monotonic() < deadline:
            early.poll(0.5)
        early.close()
        client.send(commands.create_instance("one-task", {"n": 2}), 1)
        client.flush()
        deadline = time.monotonic() + 60
        while len(read_all(kafka_bootstrap, job_topic, 1)) < 2:
            assert time.monotonic() < deadline, "the second job was not published"
            time.sleep(0.2)

        # Time passes: far beyond a retention. A topic deleted by age shows it has passed.
        aged = topics.prefix + "aged"
        ensure_topics({"bootstrap.servers": kafka_bootstrap}, [TopicSpec(aged, 1, 1, RETENTION)])
        producer = Producer({"bootstrap.servers": kafka_bootstrap})
        producer.produce(aged, b"old")
        producer.flush(30)
        shorten_retention(kafka_bootstrap, job_topic)
        deadline = time.monotonic() + 90
        reader = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": unique_name})
        while watermarks(reader, aged, 0, 30)[0] == 0:
            assert time.monotonic() < deadline, "retention never ran"
            time.sleep(0.5)
        reader.close()

        # A worker of another group starts from the beginning of the job topic.
        late = Worker(client, "work", "late", group=f"{topics.prefix}late-workers")
        deadline = time.monotonic() + 60
        records: list[dict] = []
        while len(completed_instances(records)) < 2 and time.monotonic() < deadline:
            late.poll(1.0)
            records = read_all(kafka_bootstrap, topics.events, 1)
        late.close()
    finally:
        engine.stop()

    assert len(completed_instances(records)) == 2
    # The job done at once left a tombstone after its record: compaction drops both.
    [first] = [r for r in events_of(records, "JOB", "COMPLETED") if r["value"]["worker"] == "early"]
    assert (str(first["key"]).encode(), None) in raw_records(kafka_bootstrap, job_topic)
    workers = [
        job["worker"]
        for batch in events_of(records, "JOB_BATCH", "ACTIVATED")
        for job in batch["value"]["jobs"]
    ]
    assert workers == ["early", "late"]
