"""Bad input never stops a partition: undecodable commands go to the dead-letter topic with
the reason and their origin, commands that cannot be processed here become rejections."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from broker.protocol import Record, encode_key
from broker.protocol.intents import JobIntent
from broker.protocol.values import JobRecordValue
from broker.topics import TopicSettings
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client,
    EngineProcess,
    Worker,
    completed_instances,
    deploy_and_wait,
    read_all,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]


def dead_letters(bootstrap: str, topic: str) -> list[dict[str, str]]:
    c = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "dlq-reader", "enable.auto.commit": False}
    )
    found = []
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        for message in c.consume(100, 5):
            if not message.error():
                found.append({k: v.decode() for k, v in message.headers() or []})
    finally:
        c.close()
    return found


def test_poison_records_are_set_aside_and_processing_goes_on(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=2)
    engine = EngineProcess(
        kafka_bootstrap, topics.prefix, tmp_path / "e", 2, "--max-record-bytes", "4096"
    )
    try:
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process())
        client.send_raw(b"\xff not json", 1)
        client.send_raw(b'{"recordType": "COMMAND"}', 1)
        client.send_raw(
            json.dumps(
                {
                    **json.loads(commands.wire(commands.complete(encode_key(1, 5)))),
                    "intent": "EXPLODE",
                }
            ).encode(),
            1,
        )
        client.send_raw(commands.wire(commands.create_instance("one-task", {"x": "y" * 10_000})), 1)
        foreign = Record.command(JobIntent.COMPLETE, JobRecordValue(), key=encode_key(2, 7))
        client.send(foreign, partition_id=1)
        client.send(commands.create_instance("one-task", {"after": "poison"}), partition_id=1)
        client.flush()
        worker = Worker(client, "work")
        deadline = time.monotonic() + 60
        records: list[dict] = []
        while time.monotonic() < deadline and not completed_instances(records):
            worker.poll(1.0)
            records = read_all(kafka_bootstrap, topics.events, 2)
        worker.close()
    finally:
        engine.stop()

    assert len(completed_instances(records)) == 1  # the instance sent after the poison
    rejections = [r for r in records if r["recordType"] == "COMMAND_REJECTION"]
    assert [r["key"] for r in rejections] == [encode_key(2, 7)]
    assert "belongs to partition 2" in rejections[0]["rejectionReason"]
    letters = dead_letters(kafka_bootstrap, topics.commands + ".dlq")
    assert len(letters) == 4
    reasons = [letter["honeyflow-dlq-reason"] for letter in letters]
    assert "MalformedJson" in reasons[0]
    assert "oversized" in reasons[3]
    assert {letter["honeyflow-dlq-partition"] for letter in letters} == {"0"}
    assert all(letter["honeyflow-dlq-offset"].isdigit() for letter in letters)
