"""The worker's answers to its jobs on a transport that sends without waiting (as on Kafka):
the handler slot is free while the answer is outstanding, and what comes of each answer is
counted and, when it is not accepted, logged with the job."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Any

import pytest

from broker.protocol import Record
from clients.client import Client
from clients.errors import RequestTimeoutError
from clients.memory_transport import MemoryTransport
from clients.testing import assert_instance
from clients.worker import Worker, WorkerCounts
from tests.engine.conftest import scenario


class HeldAnswers:
    """The in-process engine behind a transport whose `send` holds each command until
    `release()`: an answer stays outstanding as long as the test wants."""

    def __init__(self) -> None:
        self._engine = MemoryTransport()
        self.partition_count = self._engine.partition_count
        self.held: list[tuple[Record[Any], int, Future[Record[Any]]]] = []
        self.sent = threading.Condition()

    def request(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        return self._engine.request(command, partition_id, timeout)

    def send(self, command: Record[Any], partition_id: int, timeout: float) -> Future[Record[Any]]:
        future: Future[Record[Any]] = Future()
        with self.sent:
            self.held.append((command, partition_id, future))
            self.sent.notify_all()
        return future

    def wait_for_sent(self, count: int) -> bool:
        with self.sent:
            return self.sent.wait_for(lambda: len(self.held) >= count, 10)

    def release(self, error: Exception | None = None) -> None:
        """The engine takes the held commands now (or, given `error`, none is answered)."""
        with self.sent:
            held, self.held = self.held, []
        for command, partition_id, future in held:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(self._engine.request(command, partition_id, 5))

    def records(self) -> list[dict[str, Any]]:
        return self._engine.records()

    def close(self) -> None:
        self._engine.close()


def _client() -> tuple[Client, HeldAnswers]:
    transport = HeldAnswers()
    client = Client(transport)  # type: ignore[arg-type]
    client.deploy(scenario("one_task.bpmn"))
    return client, transport


def test_the_handler_slot_takes_the_next_job_while_the_answer_is_outstanding() -> None:
    client, transport = _client()
    keys = [int(client.create_instance("one_task")) for _ in range(2)]  # type: ignore[arg-type]
    worker = Worker(client, poll_interval=0.01)
    handled: list[int] = []

    @worker.task("work", max_concurrency=1)
    def work(job: Any) -> dict[str, Any]:
        handled.append(job.key)
        return {"done": True}

    worker.start()
    try:
        # One slot, and the first job's COMPLETE is not answered: the second job runs anyway.
        assert transport.wait_for_sent(2)
        assert len(handled) == 2
        assert worker.counts().outstanding == 2
        transport.release()
    finally:
        worker.stop()
    assert worker.counts() == WorkerCounts(completed=2)
    for key in keys:
        assert_instance(client, key).is_completed()


def test_a_refused_completion_is_logged_with_the_job_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, transport = _client()
    key = int(client.create_instance("one_task"))  # type: ignore[arg-type]
    worker = Worker(client)

    @worker.task("work")
    def work() -> None:
        return None

    with caplog.at_level(logging.WARNING, logger="clients.worker"):
        worker.work_once()
        assert transport.wait_for_sent(1)
        [(command, _, _)] = transport.held
        client.cancel_instance(key)  # before the engine takes the COMPLETE
        transport.release()
        worker.stop()
    assert worker.counts() == WorkerCounts(refused=1)
    [line] = [r.getMessage() for r in caplog.records]
    assert f"job {command.key} (type work, element task): COMPLETE refused" in line
    assert_instance(client, key).is_terminated()


def test_an_answer_that_never_comes_is_logged_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, transport = _client()
    client.create_instance("one_task")
    worker = Worker(client)

    @worker.task("work")
    def work() -> None:
        raise ValueError("flaky")

    with caplog.at_level(logging.WARNING, logger="clients.worker"):
        worker.work_once()
        assert transport.wait_for_sent(1)
        transport.release(RequestTimeoutError("no answer to JOB FAIL within 30 s"))
        worker.stop()
    assert worker.counts() == WorkerCounts(unanswered=1)
    lines = [r.getMessage() for r in caplog.records]
    assert "failed, 2 retries left" in lines[0]
    assert "no answer to FAIL: no answer to JOB FAIL within 30 s" in lines[1]


def test_stop_waits_for_the_answers_outstanding() -> None:
    client, transport = _client()
    key = int(client.create_instance("one_task"))  # type: ignore[arg-type]
    worker = Worker(client)

    @worker.task("work")
    def work() -> None:
        return None

    worker.work_once()
    assert transport.wait_for_sent(1)
    stopping = threading.Thread(target=worker.stop)
    stopping.start()
    # The answer comes only once stop() has begun; stop() returns once it has it.
    assert worker._stopping.wait(10)
    transport.release()
    stopping.join()
    assert worker.counts() == WorkerCounts(completed=1)
    assert_instance(client, key).is_completed()


def test_at_most_max_unanswered_answers_are_outstanding() -> None:
    client, transport = _client()
    for _ in range(3):
        client.create_instance("one_task")
    worker = Worker(client, poll_interval=0.01, max_unanswered=2)
    returned = threading.Semaphore(0)

    @worker.task("work", max_concurrency=3)
    def work() -> None:
        returned.release()

    worker.start()
    try:
        assert all(returned.acquire(timeout=10) for _ in range(3))
        assert transport.wait_for_sent(2)
        # The third handler has returned and waits for room: its COMPLETE is not sent while
        # two answers are outstanding.
        assert worker.counts().outstanding == 2
        assert len(transport.held) == 2
        transport.release()
        assert transport.wait_for_sent(1)
        transport.release()
    finally:
        worker.stop()
    assert worker.counts() == WorkerCounts(completed=3)
