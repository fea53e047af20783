"""Time belongs to the partition, not to the processor: when the processor that owns a
partition is SIGKILLed, the one that takes the partition over fires its timers, expires its
messages and times out its jobs — each once, visible in the audit log.

Durations are a few seconds of wall clock (the engine on Kafka keeps real time); the engines
run with a 3 s session timeout so that the takeover comes within the durations' range.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from broker.topics import TopicSettings
from processors.engine.message_partition import message_partition
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

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]
PARTITIONS = 2
SESSION_TIMEOUT = ("--session-timeout-ms", "3000")


@pytest.fixture
def topics(unique_name: str) -> TopicSettings:
    return TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)


@pytest.fixture
def engines(
    kafka_bootstrap: str, topics: TopicSettings, tmp_path: Path
) -> Iterator[list[EngineProcess]]:
    started = [
        EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / name, PARTITIONS, *SESSION_TIMEOUT)
        for name in ("a", "b")
    ]
    try:
        wait_until_serving(kafka_bootstrap, topics, started)
        yield started
    finally:
        for engine in started:
            engine.stop()


def audit_until(
    client: Client,
    condition: Callable[[list[dict[str, Any]]], bool],
    seconds: float,
    survivors: list[EngineProcess],
    worker: Worker | None = None,
) -> list[dict[str, Any]]:
    """The audit log once `condition` holds for it (fails after `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        for engine in survivors:
            assert engine.process.poll() is None, engine.log()[-3000:]
        if worker is not None:
            worker.poll(0.5)
        records = read_all(client.bootstrap, client.topics.events, PARTITIONS)
        if condition(records):
            return records
        assert time.monotonic() < deadline, survivors[0].log()[-3000:]
        time.sleep(0.2)


def count(records: list[dict[str, Any]], value_type: str, intent: str) -> Counter[int]:
    return Counter(r["key"] for r in events_of(records, value_type, intent))


def kill_an_owner(engines: list[EngineProcess]) -> tuple[set[int], EngineProcess, int]:
    """SIGKILL the first engine; (partitions it held, the survivor, kill time in epoch ms)."""
    victim, survivor = engines
    lost = victim.owned()
    assert lost, victim.log()[-2000:]
    killed_at = int(time.time() * 1000)
    victim.kill()
    return lost, survivor, killed_at


def test_timers_and_message_ttls_fire_once_after_their_owner_is_killed(
    kafka_bootstrap: str, topics: TopicSettings, engines: list[EngineProcess]
) -> None:
    client = Client(kafka_bootstrap, topics)
    deploy_and_wait(client, commands.timer_process("PT4S"))
    for partition_id in (1, 2, 1, 2):
        client.send(commands.create_instance("timer"), partition_id)
    keys = {p: [k for k in map(str, range(100)) if message_partition(k, PARTITIONS) == p][:2]
            for p in (1, 2)}  # fmt: skip
    for partition_id, partition_keys in keys.items():
        for key in partition_keys:  # buffered: nobody waits for them; they expire after 4 s
            client.send(commands.publish("nobody-waits", key, ttl_ms=4000), partition_id)
    client.flush()
    audit_until(
        client,
        lambda r: (
            len(count(r, "TIMER", "CREATED")) == 4 and len(count(r, "MESSAGE", "PUBLISHED")) == 4
        ),
        30,
        engines,
    )
    lost, survivor, killed_at = kill_an_owner(engines)

    records = audit_until(
        client,
        lambda r: len(completed_instances(r)) == 4 and len(count(r, "MESSAGE", "EXPIRED")) == 4,
        60,
        [survivor],
    )
    triggered = list(events_of(records, "TIMER", "TRIGGERED"))
    expired = list(events_of(records, "MESSAGE", "EXPIRED"))
    timers, messages = count(records, "TIMER", "CREATED"), count(records, "MESSAGE", "PUBLISHED")
    assert count(records, "TIMER", "TRIGGERED") == {timer: 1 for timer in timers}
    assert count(records, "MESSAGE", "EXPIRED") == {message: 1 for message in messages}
    assert {r["partitionId"] for r in triggered} == {r["partitionId"] for r in expired} == {1, 2}
    for record in triggered:
        assert record["timestamp"] >= record["value"]["dueDate"]  # never early
    for record in expired:
        assert record["timestamp"] >= record["value"]["deadline"]
    # The killed processor's partitions fired after it was gone: the survivor did it.
    for record in triggered + expired:
        if record["partitionId"] in lost:
            assert record["timestamp"] >= killed_at
    assert lost <= survivor.owned()


def test_a_job_not_finished_in_time_is_published_again_also_across_a_rebalance(
    kafka_bootstrap: str, topics: TopicSettings, engines: list[EngineProcess]
) -> None:
    client = Client(kafka_bootstrap, topics)
    deploy_and_wait(client, commands.one_task_process())
    for partition_id in (1, 2):
        client.send(commands.create_instance("one-task"), partition_id)
    client.flush()
    records = audit_until(client, lambda r: len(count(r, "JOB", "CREATED")) == 2, 30, engines)
    jobs = sorted(count(records, "JOB", "CREATED"))

    def take_without_finishing(timeout_ms: int, times: int) -> None:
        # A worker that takes each job and never answers (it hangs, or dies).
        for job in jobs:
            client.send(commands.activate("work", job, "stuck-worker", timeout_ms))
        client.flush()
        audit_until(
            client, lambda r: len(count(r, "JOB_BATCH", "ACTIVATED")) == 2 * times, 30, engines
        )

    # Without a rebalance: a 2 s deadline passes, the partition's own processor times it out.
    take_without_finishing(2000, times=1)
    audit_until(client, lambda r: len(count(r, "JOB", "TIMED_OUT")) == 2, 30, engines)
    # Across a rebalance: the processor that held the job's deadline is killed.
    take_without_finishing(3000, times=2)
    lost, survivor, killed_at = kill_an_owner(engines)
    records = audit_until(
        client, lambda r: set(count(r, "JOB", "TIMED_OUT").values()) == {2}, 60, [survivor]
    )
    # Every time-out made the job available again: a worker now takes and finishes it.
    worker = Worker(client, "work")
    records = audit_until(
        client, lambda r: len(completed_instances(r)) == 2, 60, [survivor], worker
    )
    worker.close()

    assert count(records, "JOB", "TIMED_OUT") == {job: 2 for job in jobs}
    assert count(records, "JOB", "COMPLETED") == {job: 1 for job in jobs}
    late = [
        r
        for r in events_of(records, "JOB", "TIMED_OUT")
        if r["partitionId"] in lost and r["timestamp"] >= killed_at
    ]
    assert len(late) == len(lost)  # the survivor timed out the killed owner's job
    published = read_all(kafka_bootstrap, topics.job_topic("work").name, PARTITIONS)
    assert sorted((r["key"], r["intent"]) for r in published) == sorted(
        (job, intent) for job in jobs for intent in ("CREATED", "TIMED_OUT", "TIMED_OUT")
    )
