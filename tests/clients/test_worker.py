"""The job worker and the async client against the in-process engine."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from clients.client import connect, connect_async
from clients.results import ActivatedJob
from clients.worker import BpmnError, Worker
from tests.engine.conftest import events, scenario


def test_worker_completes_with_the_returned_variables() -> None:
    client = connect("memory://")
    client.deploy(scenario("mappings.bpmn"))
    seen: list[Any] = []
    worker = Worker(client)

    @worker.task("charge")
    def charge(amount: int, job: ActivatedJob) -> dict[str, Any]:
        seen.append((amount, job.element_id))
        return {"receipt": {"id": f"R{amount}"}}

    result = None
    worker.start()
    try:
        result = client.create_instance(
            "mappings", {"order": {"total": 5}}, with_result=True, timeout=5
        )
    finally:
        worker.stop()
    assert seen == [(5, "task")]
    assert result.variables["receiptId"] == "R5"  # type: ignore[union-attr]


def test_handler_exception_fails_with_one_retry_fewer_and_bpmn_error_throws() -> None:
    client = connect("memory://")
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    worker = Worker(client)
    calls = []

    @worker.task("work")
    def work(**variables: Any) -> None:
        calls.append(variables)
        if len(calls) == 1:
            raise ValueError("flaky")
        raise BpmnError("NO_STOCK", "none left")

    worker.work_once()
    worker.drain()
    [failed] = events(client, valueType="JOB", intent="FAILED")
    assert failed["value"]["retries"] == 2
    assert failed["value"]["errorMessage"] == "ValueError: flaky"
    worker.work_once()
    worker.drain()
    [thrown] = events(client, valueType="JOB", intent="ERROR_THROWN")
    assert thrown["value"]["errorCode"] == "NO_STOCK"
    worker.stop()


def test_concurrency_limit_is_respected() -> None:
    client = connect("memory://")
    client.deploy(scenario("one_task.bpmn"))
    for _ in range(6):
        client.create_instance("one_task")
    worker = Worker(client)
    active = 0
    peak = 0
    lock = threading.Lock()

    @worker.task("work", max_concurrency=2)
    def work() -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1

    worker.start()
    deadline = time.monotonic() + 5
    while (
        len(events(client, valueType="JOB", intent="COMPLETED")) < 6 and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    worker.stop()
    assert len(events(client, valueType="JOB", intent="COMPLETED")) == 6
    assert peak == 2


def test_async_client_has_the_same_methods() -> None:
    async def scenario_run() -> tuple[int, list[ActivatedJob]]:
        client = connect_async("memory://?partitions=2")
        await client.deploy(scenario("one_task.bpmn"))
        key = await client.create_instance("one_task", {"a": 1})
        jobs = await client.activate_jobs("work", max_jobs=1, timeout=5)
        await client.complete_job(jobs[0].key)
        return int(key), jobs  # type: ignore[arg-type]

    key, jobs = asyncio.run(scenario_run())
    assert jobs[0].process_instance_key == key
