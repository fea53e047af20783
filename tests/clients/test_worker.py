"""The job worker and the async client against the in-process engine."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest

from clients.client import Client, connect, connect_async
from clients.errors import InvalidArgumentError, RequestTimeoutError
from clients.results import ActivatedJob
from clients.testing import assert_instance
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
    client.advance_time(1)  # the first back-off
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


def test_a_worker_with_every_slot_taken_polls_again_as_soon_as_a_handler_finishes() -> None:
    client = connect("memory://")
    client.deploy(scenario("one_task.bpmn"))
    for _ in range(2):
        client.create_instance("one_task")
    # A poll interval far longer than the test waits: the second job can only be taken by
    # the poll that the first handler's end wakes.
    worker = Worker(client, poll_interval=120)
    release = threading.Event()
    second = threading.Event()
    calls = 0

    @worker.task("work", max_concurrency=1)
    def work() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            release.wait(10)
        else:
            second.set()

    worker.start()
    try:
        time.sleep(0.5)  # let the poll find no room and wait (an order, not a measure)
        release.set()
        assert second.wait(30)
    finally:
        worker.stop()
    assert len(events(client, valueType="JOB", intent="COMPLETED")) == 2


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


def _one_task(client: Client, variables: dict[str, Any] | None = None) -> int:
    client.deploy(scenario("one_task.bpmn"))
    return int(client.create_instance("one_task", variables or {}))  # type: ignore[arg-type]


def _work(worker: Worker) -> None:
    worker.work_once()
    worker.drain()


def test_an_async_handler_is_awaited_and_completes_the_job() -> None:
    client = connect("memory://")
    key = _one_task(client, {"amount": 5})
    worker = Worker(client)

    @worker.task("work")
    async def work(amount: int) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"doubled": amount * 2}

    _work(worker)
    worker.stop()
    assert_instance(client, key).is_completed().has_variable("doubled", 10)


def test_an_async_handler_that_raises_fails_the_job_and_one_that_throws_a_bpmn_error_throws() -> (
    None
):
    client = connect("memory://")
    _one_task(client)
    worker = Worker(client)
    calls = []

    @worker.task("work", retry_backoff=0)
    async def work() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("remote down")
        raise BpmnError("NO_STOCK")

    _work(worker)
    _work(worker)
    worker.stop()
    [failed] = events(client, valueType="JOB", intent="FAILED")
    assert failed["value"]["errorMessage"] == "RuntimeError: remote down"
    [thrown] = events(client, valueType="JOB", intent="ERROR_THROWN")
    assert thrown["value"]["errorCode"] == "NO_STOCK"


def test_a_handler_returning_no_dict_fails_the_job_with_a_message_and_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = connect("memory://")
    _one_task(client)
    worker = Worker(client)

    @worker.task("work")
    def work() -> list[int]:
        return [1, 2]

    with caplog.at_level(logging.WARNING, logger="clients.worker"):
        _work(worker)
    worker.stop()
    [failed] = events(client, valueType="JOB", intent="FAILED")
    message = failed["value"]["errorMessage"]
    assert "returned list, but must return a dict of variables or None" in message
    assert "work" in message
    [line] = [r.getMessage() for r in caplog.records]
    assert f"job {failed['key']} (type work, element task) failed" in line
    assert message in line


def test_a_handler_returning_variables_that_cannot_be_sent_fails_the_job() -> None:
    client = connect("memory://")
    _one_task(client)
    worker = Worker(client)

    @worker.task("work")
    def work() -> dict[str, Any]:
        return {"tags": {"a", "b"}}

    _work(worker)
    worker.stop()
    [failed] = events(client, valueType="JOB", intent="FAILED")
    assert "variables['tags'] must be a JSON value" in failed["value"]["errorMessage"]


def test_a_missing_variable_fails_the_job_naming_it_unless_the_parameter_has_a_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = connect("memory://")
    key = _one_task(client, {"amount": 5})
    worker = Worker(client)
    seen = []

    @worker.task("work", retry_backoff=0)
    def work(amount: int, currency: str, note: str = "none") -> None:
        seen.append((amount, currency, note))

    with caplog.at_level(logging.WARNING, logger="clients.worker"):
        _work(worker)
    [failed] = events(client, valueType="JOB", intent="FAILED")
    assert failed["value"]["errorMessage"] == (
        "the job has no variable 'currency', which the handler requires"
        " (give the parameter a default to make it optional)"
    )
    assert seen == []  # the handler never ran with None for it
    assert "'currency'" in caplog.records[0].getMessage()
    client.set_variables(key, {"currency": "EUR"})
    _work(worker)
    worker.stop()
    assert seen == [(5, "EUR", "none")]  # `note` kept its default


def test_failures_back_off_exponentially_up_to_the_maximum() -> None:
    client = connect("memory://")
    _one_task(client)
    worker = Worker(client)

    @worker.task("work", retry_backoff=1, backoff_multiplier=2, max_retry_backoff=3)
    def work() -> None:
        raise ValueError("down")

    _work(worker)
    assert worker.work_once() == 0  # backing off: not activatable yet
    client.advance_time(1)
    _work(worker)
    [job_key] = {r["key"] for r in events(client, valueType="JOB", intent="FAILED")}
    client.update_job_retries(job_key, 5)
    client.advance_time(2)
    _work(worker)
    client.advance_time(3)
    _work(worker)
    worker.stop()
    failed = events(client, valueType="JOB", intent="FAILED")
    assert [f["value"]["retryBackoff"] for f in failed] == [1000, 2000, 3000, 3000]
    assert [f["value"]["retries"] for f in failed] == [2, 1, 4, 3]


def test_the_last_retry_fails_without_back_off_and_raises_the_incident() -> None:
    client = connect("memory://")
    key = _one_task(client)
    worker = Worker(client)

    @worker.task("work", retry_backoff=0.5)
    def work() -> None:
        raise ValueError("down")

    for _ in range(3):
        _work(worker)
        client.advance_time(10)
    worker.stop()
    failed = events(client, valueType="JOB", intent="FAILED")
    assert [f["value"]["retryBackoff"] for f in failed] == [500, 1000, 0]
    assert_instance(client, key).has_incident("JOB_NO_RETRIES")


def test_a_second_handler_for_a_job_type_is_refused() -> None:
    worker = Worker(connect("memory://"))

    @worker.task("work")
    def first() -> None: ...

    with pytest.raises(InvalidArgumentError, match="'work' has a handler already") as refused:

        @worker.task("work")
        def second() -> None: ...

    assert refused.value.argument == "job_type"
    assert "first" in str(refused.value)


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_jobs": "many"}, "max_jobs"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"retry_backoff": -1}, "retry_backoff"),
        ({"max_retry_backoff": float("inf")}, "max_retry_backoff"),
        ({"backoff_multiplier": 0.5}, "backoff_multiplier"),
    ],
)
def test_wrong_task_options_are_refused_at_registration(
    options: dict[str, Any], argument: str
) -> None:
    worker = Worker(connect("memory://"))
    with pytest.raises(InvalidArgumentError) as refused:
        worker.task("work", **options)
    assert refused.value.argument == argument


def test_wrong_worker_arguments_are_refused() -> None:
    client = connect("memory://")
    with pytest.raises(InvalidArgumentError, match="poll_interval"):
        Worker(client, poll_interval=-1)
    with pytest.raises(InvalidArgumentError, match="argument name must not be empty"):
        Worker(client, name="")
    with pytest.raises(InvalidArgumentError, match="must be a Client"):
        Worker("memory://")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="argument timeout must not be negative"):
        Worker(client).stop(-1)
    with pytest.raises(InvalidArgumentError, match="positional-only"):

        @Worker(client).task("work")
        def work(amount: int, /) -> None: ...


def test_a_failing_poll_is_logged_and_polling_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    client = connect("memory://")
    key = _one_task(client)
    worker = Worker(client, poll_interval=0.01)
    activate = client.activate_jobs
    failures = iter([RequestTimeoutError("engine out of reach"), RuntimeError("defect")])

    def flaky(*args: Any, **kwargs: Any) -> list[ActivatedJob]:
        error = next(failures, None)
        if error is not None:
            raise error
        return activate(*args, **kwargs)

    client.activate_jobs = flaky  # type: ignore[method-assign]
    done = threading.Event()

    @worker.task("work")
    def work() -> None:
        done.set()

    with caplog.at_level(logging.WARNING, logger="clients.worker"):
        worker.start()
        try:
            assert done.wait(10)
        finally:
            worker.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert "polling for jobs failed" in messages[0] and "engine out of reach" in messages[0]
    assert "defect" in messages[1]
    assert_instance(client, key).is_completed()
