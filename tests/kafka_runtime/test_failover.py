"""Losing processors: SIGKILL one in the middle of many instances (the other takes its
partitions over, every instance completes, nothing is done twice), and losing every local
database (state is rebuilt from Kafka, waiting instances go on)."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from broker.topics import TopicSettings
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
PARTITIONS = 2
# The 1,000 instances; about 20 s on a 2-core machine with one broker.
INSTANCES = 1000


def run_until(
    condition: Any, seconds: float, worker: Worker | None, engines: list[EngineProcess]
) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert any(e.process.poll() is None for e in engines), engines[0].log()[-2000:]
        if worker is not None:
            worker.poll(1.0)
        else:
            time.sleep(0.5)
        if condition():
            return True
    return False


def test_sigkill_of_a_processor_loses_and_repeats_nothing(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)
    a = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "a", PARTITIONS)
    b = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "b", PARTITIONS)
    try:
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process())
        for i in range(INSTANCES):
            client.send(commands.create_instance("one-task", {"i": i}))
        client.flush()
        worker = Worker(client, "work")
        records: list[dict[str, Any]] = []

        def completed_at_least(n: int) -> bool:
            records[:] = read_all(kafka_bootstrap, topics.events, PARTITIONS)
            return len(completed_instances(records)) >= n

        assert run_until(lambda: completed_at_least(INSTANCES // 4), 60, worker, [a, b])
        a.kill()  # in the middle: instances are being created and completed on both
        assert run_until(lambda: completed_at_least(INSTANCES), 90, worker, [b]), b.log()[-3000:]
        worker.close()
    finally:
        a.stop()
        b.stop()

    assert len(completed_instances(records)) == INSTANCES
    element_completions = Counter(
        r["key"] for r in events_of(records, "PROCESS_INSTANCE", "ELEMENT_COMPLETED")
    )
    assert element_completions and set(element_completions.values()) == {1}
    # process, start event, task, end event of every instance
    assert len(element_completions) == 4 * INSTANCES
    job_completions = Counter(r["key"] for r in events_of(records, "JOB", "COMPLETED"))
    assert len(job_completions) == INSTANCES and set(job_completions.values()) == {1}
    positions = Counter((r["partitionId"], r["position"]) for r in records)
    assert set(positions.values()) == {1}  # no record of an aborted transaction is visible


def test_state_is_rebuilt_from_kafka_after_losing_every_database(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)
    first = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "first", PARTITIONS)
    client = Client(kafka_bootstrap, topics)
    try:
        deploy_and_wait(client, commands.one_task_process())
        for i in range(20):
            client.send(commands.create_instance("one-task", {"i": i}))
        client.flush()

        def jobs_created() -> bool:
            records = read_all(kafka_bootstrap, topics.events, PARTITIONS)
            return len(list(events_of(records, "JOB", "CREATED"))) == 20

        assert run_until(jobs_created, 60, None, [first])
    finally:
        first.stop()
    shutil.rmtree(first.data_dir)

    second = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "second", PARTITIONS)
    try:
        worker = Worker(client, "work")

        def all_completed() -> bool:
            records = read_all(kafka_bootstrap, topics.events, PARTITIONS)
            return len(completed_instances(records)) == 20

        assert run_until(all_completed, 60, worker, [second]), second.log()[-3000:]
        worker.close()
    finally:
        second.stop()
    assert "restored partition" in second.log()
