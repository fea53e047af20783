"""Where a takeover resumes: the commands offset committed in the changelog with the outputs
of the commands before it, not the engine group's offsets (committed after each transaction
for those who watch them; docs/kafka-runtime.md, Exactly once)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from broker.topics import TopicSettings
from clients.kafka_audit import ProcessedWatch
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client,
    EngineProcess,
    deploy_and_wait,
    events_of,
    read_all,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(400)]
PARTITIONS = 2


def _created(bootstrap: str, topics: TopicSettings) -> list[int]:
    records = read_all(bootstrap, topics.events, PARTITIONS)
    return [
        r["value"]["variables"]["i"]
        for r in events_of(records, "PROCESS_INSTANCE_CREATION", "CREATED")
    ]


def _wait_created(
    bootstrap: str, topics: TopicSettings, wanted: set[int], engine: EngineProcess
) -> list[int]:
    """The `i` of every instance created, once those of `wanted` are among them."""
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        assert engine.process.poll() is None, engine.log()[-3000:]
        created = _created(bootstrap, topics)
        if wanted <= set(created):
            return created
        time.sleep(0.3)
    raise AssertionError(f"instances {wanted} not created: {engine.log()[-3000:]}")


def test_a_takeover_resumes_where_the_changelog_says_not_where_the_group_says(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)
    group = topics.prefix + "engine"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    client = Client(kafka_bootstrap, topics)
    first = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "first", PARTITIONS)
    try:
        deploy_and_wait(client, commands.one_task_process())
        for i in range(6):
            client.send(commands.create_instance("one-task", {"i": i}), partition_id=i % 2 + 1)
        client.flush()
        created = _wait_created(kafka_bootstrap, topics, set(range(6)), first)
        assert sorted(created) == list(range(6))
        # Those who watch the group (`records()`, `honeyflow` clients) see them processed:
        # its offsets are committed after each transaction, outside it.
        watch = ProcessedWatch({"bootstrap.servers": kafka_bootstrap}, topics.commands, group)
        try:
            watch.wait(60)
        finally:
            watch.close()
    finally:
        first.stop()

    # The group's offsets back at the start, the local state gone: only the changelog says
    # what was processed.
    request = ConsumerGroupTopicPartitions(
        group, [TopicPartition(topics.commands, p, 0) for p in range(PARTITIONS)]
    )
    deadline = time.monotonic() + 60
    while True:  # the group empties once the stopped engine has left it
        try:
            [future] = admin.alter_consumer_group_offsets([request]).values()
            future.result(30)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    shutil.rmtree(tmp_path / "first")

    second = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "second", PARTITIONS)
    try:
        for i in (6, 7):
            client.send(commands.create_instance("one-task", {"i": i}), partition_id=i % 2 + 1)
        client.flush()
        # Each partition's commands are processed in order: once 6 and 7 are created, any
        # of the first six processed again would be in the audit log before them.
        created = _wait_created(kafka_bootstrap, topics, {6, 7}, second)
        assert sorted(created) == list(range(8))
    finally:
        second.stop()
