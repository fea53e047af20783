"""The exactly-once check of `make bench-scale` (benchmarks/scale_audit.py) on audit logs of
the in-process engine: it passes a log where every instance ran once and names each way one
can go wrong (the bench itself needs three brokers: `make bench-scale`)."""

from __future__ import annotations

import json
from typing import Any

from confluent_kafka import KafkaError

from benchmarks.kafka_bench_support import ONE_TASK
from benchmarks.scale_audit import check_exactly_once, read_to_ends
from clients.client import connect


def audit_log(instances: int, *, complete: int | None = None, twice: int = 0) -> list[bytes]:
    """The in-process engine's audit log (as the Kafka engine writes it: compact JSON) after
    one-task instances i = 0 … instances-1, `complete` of their jobs completed (all by
    default), and `twice` instances created a second time with an `i` already used."""
    client = connect("memory://?partitions=2")
    client.deploy(ONE_TASK)
    for i in [*range(instances), *range(twice)]:
        client.create_instance("bench-one-task", {"i": i})
    jobs = client.activate_jobs("bench", max_jobs=instances + twice, timeout=30)
    for job in jobs[: len(jobs) if complete is None else complete]:
        client.complete_job(job.key, {"done": True})
    return [json.dumps(r, separators=(",", ":")).encode() for r in client.records()]


def first(values: list[bytes], value_type: str, intent: str, **value: Any) -> bytes:
    for raw in values:
        record = json.loads(raw)
        if (
            record["recordType"] == "EVENT"
            and (record["valueType"], record["intent"]) == (value_type, intent)
            and all(record["value"].get(k) == v for k, v in value.items())
        ):
            return raw
    raise AssertionError(f"no {value_type} {intent} in the log")


def test_every_instance_once_passes() -> None:
    check = check_exactly_once(audit_log(6), expected=6)

    assert check.ok, check.problems
    assert (check.instances, check.completed, check.jobs_completed) == (6, 6, 6)
    assert "exactly once" in check.summary()


def test_an_instance_never_completed_is_named() -> None:
    check = check_exactly_once(audit_log(6, complete=5), expected=6)

    assert not check.ok
    assert check.completed == 5 and check.jobs_completed == 5
    assert any(p.startswith("1 instances never completed") for p in check.problems)
    assert any(p.startswith("1 jobs never completed") for p in check.problems)


def test_an_instance_sent_but_missing_is_named() -> None:
    check = check_exactly_once(audit_log(6), expected=7)

    assert check.problems == ["1 instances never created: i = 6"]


def test_an_instance_created_twice_is_named() -> None:
    check = check_exactly_once(audit_log(6, twice=1), expected=6)

    assert check.problems == ["1 instances created twice: i = 0"]


def test_a_record_written_twice_is_caught() -> None:
    """What a zombie engine's transaction committed after the takeover would leave: the same
    records at the same positions, the instance completed twice."""
    values = audit_log(4)
    completed = first(values, "PROCESS_INSTANCE", "ELEMENT_COMPLETED", bpmnElementType="PROCESS")
    check = check_exactly_once([*values, completed], expected=4)

    assert not check.ok
    assert check.problems[0].startswith("1 positions appear twice")
    assert check.problems[1].startswith("1 instances completed twice: i = ")


def test_a_job_completed_twice_is_named() -> None:
    values = audit_log(4)
    job_completed = json.loads(first(values, "JOB", "COMPLETED"))
    job_completed["position"] += 10_000  # a second COMPLETED event, not a repeated record
    check = check_exactly_once([*values, json.dumps(job_completed).encode()], expected=4)

    assert len(check.problems) == 1
    assert check.problems[0].startswith("1 jobs completed twice: i = ")


class FakeMessage:
    def __init__(self, partition: int, offset: int, error: KafkaError | None = None) -> None:
        self._partition, self._offset, self._error = partition, offset, error

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def error(self) -> KafkaError | None:
        return self._error

    def value(self) -> bytes:
        return f"{self._partition}:{self._offset}".encode()


class FakeConsumer:
    def __init__(self, batches: list[list[FakeMessage]]) -> None:
        self._batches = batches

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        return self._batches.pop(0) if self._batches else []


def test_a_transient_error_does_not_end_a_partition() -> None:
    """A partition whose leader moves answers an error before its records: read on (the audit
    log read right after a run once left out two whole partitions and reported their
    instances as never created)."""
    not_leader = KafkaError(KafkaError.NOT_LEADER_FOR_PARTITION)
    eof = KafkaError(KafkaError._PARTITION_EOF)
    consumer = FakeConsumer(
        [
            [FakeMessage(0, 0, not_leader), FakeMessage(1, 0), FakeMessage(1, 1, eof)],
            [FakeMessage(0, 0), FakeMessage(0, 1)],
        ]
    )

    values = read_to_ends(consumer, {0: 2, 1: 2}, {0, 1}, timeout=5)  # type: ignore[arg-type]

    assert values == [b"1:0", b"0:0", b"0:1"]
