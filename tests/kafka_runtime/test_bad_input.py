"""Bad input never stops a partition: undecodable commands go to the dead-letter topic with
the reason and their origin, commands that cannot be processed here become rejections."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from broker.protocol import Record, encode_key
from broker.protocol.intents import JobIntent
from broker.protocol.values import JobRecordValue
from broker.topics import TopicSettings
from processors.engine.message_partition import message_partition
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
SCENARIOS = Path(__file__).parents[1] / "engine" / "scenarios"


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


def test_out_of_range_arguments_are_invalid_argument_rejections_and_nan_a_dead_letter(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=1)
    engine = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "e", 1)
    try:
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process())
        complete = json.loads(commands.wire(commands.complete(encode_key(1, 5))))
        client.send_raw(json.dumps({**complete, "key": 2**70}).encode(), 1)
        client.send(commands.publish("m", "k", 10**33), 1)  # ttl=1e30 s, in ms
        client.send(commands.publish("m", "k", -1), 1)
        fail = JobRecordValue(retries=2**63, error_message="x")
        client.send(Record.command(JobIntent.FAIL, fail, key=encode_key(1, 99)), 1)
        create = json.loads(commands.wire(commands.create_instance("one-task")))
        create["value"]["variables"] = {"x": float("nan")}
        client.send_raw(json.dumps(create).encode(), 1)  # Python's json writes NaN
        client.send(commands.create_instance("one-task", {"after": "bad input"}), 1)
        client.flush()
        worker = Worker(client, "work")
        deadline = time.monotonic() + 60
        records: list[dict] = []
        while time.monotonic() < deadline and not completed_instances(records):
            worker.poll(1.0)
            records = read_all(kafka_bootstrap, topics.events, 1)
        worker.close()
    finally:
        engine.stop()

    assert len(completed_instances(records)) == 1  # the partition went on
    rejections = [r for r in records if r["recordType"] == "COMMAND_REJECTION"]
    assert [(r["rejectionType"], r["rejectionReason"].split(",")[0]) for r in rejections] == [
        ("INVALID_ARGUMENT", "Expected the command's key to be a 64-bit integer"),
        ("INVALID_ARGUMENT", "Expected timeToLive to be a 64-bit integer"),
        ("INVALID_ARGUMENT", "Expected timeToLive to be zero or more milliseconds"),
        ("INVALID_ARGUMENT", "Expected retries to be a 64-bit integer"),
    ]
    assert not [r for r in records if r["valueType"] == "MESSAGE" and r["recordType"] == "EVENT"]
    [letter] = dead_letters(kafka_bootstrap, topics.commands + ".dlq")
    assert "standard JSON numbers, got NaN" in letter["honeyflow-dlq-reason"]


def test_a_message_published_on_the_wrong_partition_goes_on_to_its_own(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=2)
    engine = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "e", 2)
    key = "order-1"
    right = message_partition(key, 2)
    wrong = 3 - right
    try:
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, SCENARIOS.joinpath("message_catch.bpmn").read_bytes())
        client.send(commands.create_instance("message_catch", {"order": {"id": key}}))
        client.flush()
        deadline = time.monotonic() + 30
        records: list[dict] = []
        while time.monotonic() < deadline and not any(
            r["valueType"] == "MESSAGE_SUBSCRIPTION" and r["intent"] == "CREATED" for r in records
        ):
            records = read_all(kafka_bootstrap, topics.events, 2)
        request_id = client.send(commands.publish("payment-received", key, 60_000), wrong)
        client.flush()
        while time.monotonic() < deadline and not completed_instances(records):
            records = read_all(kafka_bootstrap, topics.events, 2)
        answers = [
            (headers, answer)
            for headers, answer in messages_with_headers(kafka_bootstrap, topics.responses, 2)
            if headers.get("honeyflow-request-id") == request_id
        ]
        forwarded = [
            headers
            for headers, command in messages_with_headers(kafka_bootstrap, topics.commands, 2)
            if command.get("valueType") == "MESSAGE"
        ]
    finally:
        engine.stop()

    assert len(completed_instances(records)) == 1  # correlated where its subscription is
    [(_, answer)] = answers  # answered once, by the message's own partition
    assert (answer["intent"], answer["partitionId"]) == ("PUBLISHED", right)
    published = [r for r in records if r["valueType"] == "MESSAGE" and r["intent"] == "PUBLISHED"]
    assert [r["partitionId"] for r in published] == [right]
    assert not any(r["recordType"] == "COMMAND_REJECTION" for r in records)
    # On the commands topic: as sent (wrong partition), and forwarded with its origin.
    origins = Counter(h.get("honeyflow-rerouted-from") for h in forwarded)
    assert origins == {None: 1, str(wrong): 1}
    assert {h["honeyflow-request-id"] for h in forwarded} == {request_id}


def messages_with_headers(
    bootstrap: str, topic: str, partitions: int
) -> list[tuple[dict[str, str], dict]]:
    """(headers, JSON value) of every committed message of `topic`, partition by partition."""
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "header-reader",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    found = []
    try:
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        ended: set[int] = set()
        while len(ended) < partitions:
            message = c.poll(5)
            assert message is not None, f"could not read {topic} to its end"
            if message.error():
                ended.add(message.partition())
                continue
            headers = {k: v.decode() for k, v in message.headers() or []}
            found.append((headers, json.loads(message.value())))
    finally:
        c.close()
    return found
