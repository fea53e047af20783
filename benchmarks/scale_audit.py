"""The exactly-once check of `make bench-scale`, on the audit log a user would read afterwards:
every instance the load generator created (variable `i` = 0 … n-1) exists once, completed once,
its one job was created once and completed once, and no record position appears twice in a
partition (a record of an aborted or fenced transaction would repeat one)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from broker.kafka_config import ClientConfig
from clients.kafka_offsets import watermarks

# Compact JSON with `position` first, as the engine writes it (docs/record-format.md): most
# records are counted by their position without being decoded; any other shape is decoded.
_POSITION = re.compile(rb'^\{"position":(-?\d+),')
_WANTED = (
    b'"valueType":"PROCESS_INSTANCE_CREATION"',
    b'"valueType":"JOB"',
    b'"bpmnElementType":"PROCESS"',
)


@dataclass
class AuditCheck:
    """What the audit log says about instances 0 … `expected`-1; `problems` empty when
    every one of them ran exactly once."""

    expected: int
    records: int = 0
    instances: int = 0
    completed: int = 0
    jobs_completed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "exactly once" if self.ok else "NOT exactly once: " + "; ".join(self.problems)
        return (
            f"audit log: {self.records} records, {self.instances} instances created,"
            f" {self.completed} completed, {self.jobs_completed} jobs completed"
            f" of {self.expected} sent: {verdict}"
        )


def _some(values: Iterable[Any], limit: int = 5) -> str:
    shown = sorted(values)
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(str(v) for v in shown[:limit]) + more


def check_exactly_once(values: Iterable[bytes], expected: int) -> AuditCheck:
    """Check the audit log's records (`values`: each a record's JSON bytes, in any order)
    against `expected` instances with variables `i` = 0 … expected-1."""
    check = AuditCheck(expected)
    positions: Counter[tuple[int, int]] = Counter()
    created: dict[int, list[int]] = {}  # i → the instance keys created with it
    instance_completions: Counter[int] = Counter()  # instance key → process ELEMENT_COMPLETED
    job_instance: dict[int, int] = {}  # job key → instance key
    jobs_created: Counter[int] = Counter()  # instance key → its jobs
    job_completions: Counter[int] = Counter()  # job key → JOB COMPLETED
    for value in values:
        check.records += 1
        record: dict[str, Any] | None = None
        found = _POSITION.match(value)
        if found is None:
            record = json.loads(value)
            position = (record["partitionId"], record["position"])
        else:
            partition = re.search(rb'"partitionId":(\d+)', value)
            position = (int(partition.group(1)) if partition else -1, int(found.group(1)))
        positions[position] += 1
        if record is None and not any(wanted in value for wanted in _WANTED):
            continue
        if record is None:
            record = json.loads(value)
        if record["recordType"] != "EVENT":
            continue
        kind, intent = record["valueType"], record["intent"]
        if kind == "PROCESS_INSTANCE_CREATION" and intent == "CREATED":
            i = record["value"]["variables"].get("i")
            if isinstance(i, int):
                created.setdefault(i, []).append(record["value"]["processInstanceKey"])
        elif (
            kind == "PROCESS_INSTANCE"
            and intent == "ELEMENT_COMPLETED"
            and record["value"]["bpmnElementType"] == "PROCESS"
        ):
            instance_completions[record["key"]] += 1
        elif kind == "JOB" and intent == "CREATED":
            job_instance[record["key"]] = record["value"]["processInstanceKey"]
            jobs_created[record["value"]["processInstanceKey"]] += 1
        elif kind == "JOB" and intent == "COMPLETED":
            job_completions[record["key"]] += 1

    repeated = [p for p, n in positions.items() if n > 1]
    if repeated:
        check.problems.append(f"{len(repeated)} positions appear twice, e.g. {_some(repeated)}")
    missing = set(range(expected)) - set(created)
    if missing:
        check.problems.append(f"{len(missing)} instances never created: i = {_some(missing)}")
    unexpected = set(created) - set(range(expected))
    if unexpected:
        check.problems.append(f"{len(unexpected)} instances not sent: i = {_some(unexpected)}")
    twice = [i for i, keys in created.items() if len(keys) > 1]
    if twice:
        check.problems.append(f"{len(twice)} instances created twice: i = {_some(twice)}")
    keys = {key: i for i, instance_keys in created.items() for key in instance_keys}
    check.instances = len(keys)
    check.completed = sum(1 for key in keys if instance_completions[key] >= 1)
    not_completed = [i for key, i in keys.items() if instance_completions[key] == 0]
    if not_completed:
        check.problems.append(
            f"{len(not_completed)} instances never completed: i = {_some(not_completed)}"
        )
    completed_twice = [i for key, i in keys.items() if instance_completions[key] > 1]
    if completed_twice:
        check.problems.append(
            f"{len(completed_twice)} instances completed twice: i = {_some(completed_twice)}"
        )
    job_count = [i for key, i in keys.items() if jobs_created[key] != 1]
    if job_count:
        check.problems.append(
            f"{len(job_count)} instances without exactly one job: i = " + _some(job_count)
        )
    ours = {job for job, instance in job_instance.items() if instance in keys}
    check.jobs_completed = sum(1 for job in ours if job_completions[job] >= 1)
    jobs_open = [keys[job_instance[job]] for job in ours if job_completions[job] == 0]
    if jobs_open:
        check.problems.append(f"{len(jobs_open)} jobs never completed: i = {_some(jobs_open)}")
    jobs_twice = [keys[job_instance[job]] for job in ours if job_completions[job] > 1]
    if jobs_twice:
        check.problems.append(f"{len(jobs_twice)} jobs completed twice: i = {_some(jobs_twice)}")
    return check


@dataclass
class AuditLog:
    values: list[bytes]
    """Every committed record, undecoded."""
    offsets: int
    """The partitions' end offsets summed: records, transaction markers (one per partition
    a committed or aborted transaction wrote to) and records of aborted transactions."""

    @property
    def markers(self) -> int:
        """Offsets that hold no committed record: with nothing aborted, the number of
        transactions that wrote to the topic, per partition written."""
        return self.offsets - len(self.values)


def read_audit_log(config: ClientConfig, topic: str, timeout: float = 60.0) -> AuditLog:
    """Every committed record of every partition of `topic` (read_committed, from the start
    to the end offsets at the time of the call)."""
    consumer = Consumer(
        {
            **config,
            "group.id": f"bench-audit-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=timeout)
        partitions = sorted(metadata.topics[topic].partitions)
        ends = {p: watermarks(consumer, topic, p, timeout)[1] for p in partitions}
        open_partitions = {p for p in partitions if ends[p] > 0}
        consumer.assign([TopicPartition(topic, p, 0) for p in open_partitions])
        values = read_to_ends(consumer, ends, open_partitions, timeout)
    finally:
        consumer.close()
    return AuditLog(values, sum(ends.values()))


class _Messages(Protocol):
    def consume(self, num_messages: int, timeout: float) -> list[Message]: ...


def read_to_ends(
    consumer: _Messages, ends: dict[int, int], open_partitions: set[int], timeout: float
) -> list[bytes]:
    """The values `consumer` delivers until each of `open_partitions` reached its end in
    `ends` or said so (end of partition: the last offsets of read_committed may be
    transaction markers). Any other error is passed over (the client retries by itself: a
    leader moving) unless it is fatal; no progress for `timeout` seconds raises."""
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    while open_partitions:
        if time.monotonic() > deadline:
            raise TimeoutError(f"partitions {sorted(open_partitions)} not read to their end")
        for message in consumer.consume(10_000, 1.0):
            deadline = time.monotonic() + timeout
            partition = message.partition() or 0
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    open_partitions.discard(partition)
                elif error.fatal():
                    raise KafkaException(error)
                continue
            values.append(message.value() or b"")
            if (message.offset() or 0) + 1 >= ends[partition]:
                open_partitions.discard(partition)
    return values
