"""Routed replies: a request names the partition of `<p>responses` it is answered on
(`honeyflow-reply-partition`), and a client reads only that partition. Requests without the
header are answered on the command's partition, as before; create-with-result keeps the
reply partition in the partition's state, so it is answered there after a failover too."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition

from broker.protocol import Record, decode_partition, encode_record
from broker.protocol.intents import ProcessInstanceCreationIntent
from broker.protocol.values import ProcessInstanceCreationRecordValue
from broker.topics import TopicSettings
from clients.client import Client
from clients.kafka_address import parse_kafka_url
from clients.kafka_offsets import watermarks
from clients.kafka_transport import KafkaTransport
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client as RawClient,
)
from tests.kafka_runtime.harness import (
    EngineProcess,
    Worker,
    deploy_and_wait,
    engine_in_process,
    events_of,
    read_all,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]
PARTITIONS = 3


def answers(bootstrap: str, topic: str, partitions: int) -> list[tuple[int, dict[str, bytes]]]:
    """(Kafka partition, headers) of every committed answer on `topic`."""
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"answers-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    found: list[tuple[int, dict[str, bytes]]] = []
    try:
        for partition in range(partitions):
            low, high = watermarks(c, topic, partition, 30)
            if low >= high:
                continue
            c.assign([TopicPartition(topic, partition, low)])
            idle = 0
            while idle < 3:
                message = c.poll(0.5)
                if message is None:
                    idle += 1
                    continue
                if message.error() is None:
                    found.append((partition, dict(message.headers() or [])))
                if message.offset() >= high - 1:
                    break
    finally:
        c.close()
    return found


def test_each_client_reads_only_its_reply_partition_and_gets_every_answer(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)
    with engine_in_process(kafka_bootstrap, topics, tmp_path / "engine"):
        address = parse_kafka_url(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}")
        first = KafkaTransport(address, reply_partition=0)
        second = KafkaTransport(address, reply_partition=2)
        try:
            a, b = Client(first), Client(second)
            a.deploy(commands.one_task_process())
            created = {
                name: [c.create_instance("one-task") for _ in range(6)]
                for name, c in (("a", a), ("b", b))
            }
            jobs = []
            deadline = time.monotonic() + 60
            while len(jobs) < 12 and time.monotonic() < deadline:
                jobs += b.activate_jobs("work", max_jobs=12, timeout=60)
            # Each consumer is assigned its reply partition only.
            for transport, partition in ((first, 0), (second, 2)):
                assignment = transport._channel._consumer.assignment()
                assert [(tp.topic, tp.partition) for tp in assignment] == [
                    (topics.responses, partition)
                ]
        finally:
            first.close()
            second.close()

    # Neither read a single answer of the other (each skips other clients' answers it reads).
    assert first._channel.others_read == second._channel.others_read == 0
    # Both clients' instances were created on every partition, and answered.
    for keys in created.values():
        assert {decode_partition(key) for key in keys} == {1, 2, 3}
    assert len(jobs) == 12
    # Every answer went to its client's reply partition, none to another.
    written = answers(kafka_bootstrap, topics.responses, PARTITIONS)
    by_partition = {
        partition: {
            headers["honeyflow-client-id"].decode() for p, headers in written if p == partition
        }
        for partition in range(PARTITIONS)
    }
    assert by_partition == {0: {first.client_id}, 1: set(), 2: {second.client_id}}
    # a: the deployment and 6 creations; b: 6 creations and at least one claim per partition.
    assert sum(1 for p, _ in written if p == 0) == 7
    assert sum(1 for p, _ in written if p == 2) >= 6 + PARTITIONS


def test_requests_without_a_usable_reply_partition_are_answered_on_their_own(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)
    with engine_in_process(kafka_bootstrap, topics, tmp_path / "engine"):
        raw = RawClient(kafka_bootstrap, topics)
        deploy_and_wait(raw, commands.one_task_process())
        sent: dict[str, int] = {}  # request id -> the Kafka partition the answer belongs on
        for partition_id, reply, expected in (
            (2, None, 1),  # no header: the command's partition (clients from before)
            (3, b"1", 1),  # a reply partition: that one
            (1, b"2", 2),
            (3, b"7", 2),  # not a partition of the topic: the command's
            (2, b"-1", 1),
            (2, b"one", 1),
        ):
            request_id = uuid.uuid4().hex
            headers = [
                ("honeyflow-request-id", request_id.encode()),
                ("honeyflow-client-id", raw.client_id.encode()),
            ]
            if reply is not None:
                headers.append(("honeyflow-reply-partition", reply))
            raw.send_raw(encode_record(commands.create_instance("one-task")), partition_id, headers)
            sent[request_id] = expected
        raw.flush()
        found: dict[str, int] = {}
        deadline = time.monotonic() + 60
        while len(found) < len(sent) and time.monotonic() < deadline:
            for partition, headers in answers(kafka_bootstrap, topics.responses, PARTITIONS):
                request_id = headers["honeyflow-request-id"].decode()
                if request_id in sent:
                    found[request_id] = partition
            time.sleep(0.2)
    assert found == sent


def test_the_responses_topic_may_have_more_partitions_than_the_others(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    def topics_create(*args: str) -> str:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "clients.cli.main", "topics", "create"),
                *("--bootstrap", kafka_bootstrap, "--prefix", unique_name + ".", *args),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert f"created  {unique_name}.responses" in topics_create(
        "--partitions", "2", "--response-partitions", "5"
    )
    # Checked again without the flag: the topic as it is is fine.
    assert f"exists   {unique_name}.responses" in topics_create("--partitions", "2")
    topics = TopicSettings(prefix=unique_name + ".", partitions=2)
    with engine_in_process(kafka_bootstrap, topics, tmp_path / "engine"):
        address = parse_kafka_url(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}")
        transport = KafkaTransport(address, reply_partition=4)
        try:
            client = Client(transport)
            client.deploy(commands.one_task_process())
            keys = [client.create_instance("one-task") for _ in range(4)]
        finally:
            transport.close()
    assert {decode_partition(key) for key in keys} == {1, 2}
    written = answers(kafka_bootstrap, topics.responses, 5)
    assert [partition for partition, _ in written] == [4] * 5


def create_with_result(process_id: str) -> Record[Any]:
    value = ProcessInstanceCreationRecordValue(bpmn_process_id=process_id)
    return Record.command(ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT, value)


def test_create_with_result_is_answered_on_its_reply_partition_after_a_failover(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    partitions = 2
    topics = TopicSettings(prefix=unique_name + ".", partitions=partitions)
    first = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "first", partitions)
    second: EngineProcess | None = None
    raw = RawClient(kafka_bootstrap, topics)
    request_id = uuid.uuid4().hex
    try:
        deploy_and_wait(raw, commands.one_task_process())
        # Created on partition 1 (Kafka 0), answered on Kafka partition 1.
        raw.send_raw(
            encode_record(create_with_result("one-task")),
            1,
            [
                ("honeyflow-request-id", request_id.encode()),
                ("honeyflow-client-id", raw.client_id.encode()),
                ("honeyflow-reply-partition", b"1"),
            ],
        )
        raw.flush()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            records = read_all(kafka_bootstrap, topics.events, partitions)
            if list(events_of(records, "JOB", "CREATED")):
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the instance's job was not created")
        first.kill()  # the awaiting request is in the state only: Kafka's changelog
        second = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "second", partitions)
        worker = Worker(raw, "work")
        try:
            where: list[int] = []
            deadline = time.monotonic() + 120
            while not where and time.monotonic() < deadline:
                assert second.process.poll() is None, second.log()[-3000:]
                worker.poll(1.0)
                where = [
                    partition
                    for partition, headers in answers(kafka_bootstrap, topics.responses, partitions)
                    if headers["honeyflow-request-id"] == request_id.encode()
                ]
        finally:
            worker.close()
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert where == [1]
