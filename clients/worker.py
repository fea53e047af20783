"""Job workers in the manner of pyzeebe: register a handler per job type with a decorator
(one per type; plain or `async def`); the worker activates jobs, calls the handler with the
variables its parameters name (a parameter called `job` gets the ActivatedJob, `**kwargs` gets
every variable; a required variable that is not set fails the job), completes the job with
the returned dict (None: no variables), fails it with one retry fewer and an exponential
back-off on an exception or any other result, and throws a BPMN error on `BpmnError`. Every
error it handles is logged (logger `clients.worker`) with the job's key, type and element.
Concurrency is bounded per task type; `stop()` lets running handlers finish.

On `kafka://` the worker claims pipelined: each poll claims the jobs read since the last one
without waiting for the answers of earlier claims, and hands the jobs of an answer to the
handlers when it arrives (`KafkaTransport.claim_jobs`); jobs claimed and not yet answered
count against `max_concurrency`. Its COMPLETE / FAIL / THROW_ERROR go out without the handler
slot waiting for their answers (`KafkaTransport.send`): the slot takes the next job at once,
the answer is settled when it arrives (a refusal or no answer within the request timeout is
logged with the job's key and counted in `Worker.counts()`). At most `max_unanswered` answers
are outstanding per worker (a handler that would send one more waits for room); `stop()`
waits for them. Delivery is unchanged: a job whose COMPLETE is lost times out and comes back.
A poll that finds every slot taken polls again as soon as a handler finishes or a claim is
answered, not a poll interval later.

    worker = Worker(client)

    @worker.task("payment", timeout=30, max_concurrency=4)
    def charge(amount: int) -> dict:
        return {"paid": True}

    @worker.task("mail", retry_backoff=5, max_retry_backoff=600)
    async def send(to: str, subject: str = "Your order") -> None: ...

    worker.start(); ...; worker.stop()
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from broker.protocol import Record
from clients import commands as c
from clients.arguments import Arguments
from clients.client import DEFAULT_REQUEST_TIMEOUT, Client
from clients.errors import HoneyflowError, InvalidArgumentError, rejection_error
from clients.job_answers import complete_command, fail_command, throw_error_command
from clients.results import ActivatedJob
from clients.tenants import tenant_list
from clients.worker_handlers import (
    AsyncRunner,
    Backoff,
    Handler,
    HandlerShape,
    MissingVariablesError,
    ResultError,
    arguments_for,
    shape_of,
    variables_of,
)

log = logging.getLogger(__name__)

_MAX_POLL_PAUSE = 5.0
"""Longest pause between polls that fail."""


class PendingClaim(Protocol):
    @property
    def answer(self) -> Future[Record[Any]]: ...

    @property
    def job_count(self) -> int: ...


@runtime_checkable
class ClaimSource(Protocol):
    """A transport that claims jobs without waiting for the answers (`KafkaTransport`)."""

    def claim_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
        tenant_ids: tuple[str, ...] = ...,
    ) -> list[PendingClaim]: ...


@runtime_checkable
class AnswerSink(Protocol):
    """A transport that sends a command without waiting for its answer (`KafkaTransport`)."""

    def send(
        self, command: Record[Any], partition_id: int, timeout: float
    ) -> Future[Record[Any]]: ...


@dataclass(frozen=True, slots=True)
class WorkerCounts:
    """What a worker's answers to its jobs came to, since it was made."""

    completed: int = 0
    """COMPLETEs the engine accepted."""
    failed: int = 0
    """FAILs the engine accepted (the handler raised or returned something wrong)."""
    errors_thrown: int = 0
    """THROW_ERRORs the engine accepted (`BpmnError`)."""
    refused: int = 0
    """Answers the engine rejected (e.g. the job was canceled or timed out meanwhile)."""
    unanswered: int = 0
    """Answers sent and not answered in time or not delivered (the job times out and comes
    back)."""
    outstanding: int = 0
    """Answers sent and not settled yet."""


_ACCEPTED = {"COMPLETE": "completed", "FAIL": "failed", "THROW_ERROR": "errors_thrown"}


class BpmnError(Exception):
    """Raise in a handler to throw a BPMN error with this code at the job's task."""

    def __init__(
        self, code: str, message: str = "", variables: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = dict(variables or {})


@dataclass(slots=True)
class _Task:
    job_type: str
    handler: Handler
    shape: HandlerShape
    timeout_ms: int
    max_jobs: int
    max_concurrency: int
    backoff: Backoff
    pool: ThreadPoolExecutor
    running: set[Future[None]] = field(default_factory=set)
    busy: int = 0
    """Jobs handed to the pool whose handler has not finished (`running` may still hold
    futures of finished ones)."""
    claims: set[Future[Record[Any]]] = field(default_factory=set)
    """Answers of claims sent and not yet answered."""
    claimed: int = 0
    """Jobs in `claims`."""


class Worker:
    def __init__(
        self,
        client: Client,
        *,
        name: str = "honeyflow-worker",
        poll_interval: float = 0.05,
        max_unanswered: int = 1024,
        tenant_ids: Sequence[str] | None = None,
    ) -> None:
        """`max_unanswered`: most COMPLETE / FAIL / THROW_ERROR sent and not answered yet
        (on a transport that sends without waiting: `kafka://`). `tenant_ids`: the tenants
        whose jobs this worker takes (default: the default tenant; docs/tenants.md)."""
        self._tenants = tenant_list("Worker", tenant_ids)
        a = Arguments("Worker")
        if not isinstance(client, Client):
            a.fail("client", f"must be a Client (clients.client.connect), but was {client!r}")
        self._client = client
        self.name = a.text("name", name, required=True)
        self._poll_interval = a.seconds("poll_interval", poll_interval, positive=True)
        self._room = threading.BoundedSemaphore(
            a.count("max_unanswered", max_unanswered, minimum=1)
        )
        self._counts: dict[str, int] = dict.fromkeys(WorkerCounts.__slots__, 0)
        self._unanswered: set[Future[Record[Any]]] = set()
        self._answers_settled = threading.Condition()
        transport = client.transport
        self._sink = transport if isinstance(transport, AnswerSink) else None
        self._claim_source = transport if isinstance(transport, ClaimSource) else None
        """The transport, when it sends answers or claims without waiting (checked once)."""
        self._tasks: list[_Task] = []
        self._async = AsyncRunner(self.name)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._claims_settled = threading.Condition(self._lock)
        self._read_waited = False
        """The last `work_once` waited for jobs in a read (no extra sleep needed)."""
        self._full = False
        """The last `work_once` found no room in any task type."""

    def task(
        self,
        job_type: str,
        *,
        timeout: float = 60,
        max_jobs: int = 32,
        max_concurrency: int = 4,
        retry_backoff: float = 1,
        backoff_multiplier: float = 2,
        max_retry_backoff: float = 60,
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of `job_type` (one per type).
        `timeout`: seconds a job is held; a failed job waits `retry_backoff` seconds before
        it is retried, each further failure `backoff_multiplier` times longer, at most
        `max_retry_backoff` (Zeebe's `retryBackOff` on FAIL; `retry_backoff=0`: at once)."""
        a = Arguments("Worker.task")
        job_type = a.text("job_type", job_type, required=True)
        timeout_ms = a.millis("timeout", timeout, positive=True)
        max_jobs = a.count("max_jobs", max_jobs, minimum=1)
        max_concurrency = a.count("max_concurrency", max_concurrency, minimum=1)
        first_ms = a.millis("retry_backoff", retry_backoff)
        max_ms = a.millis("max_retry_backoff", max_retry_backoff)
        if isinstance(backoff_multiplier, bool) or not isinstance(backoff_multiplier, int | float):
            a.fail("backoff_multiplier", f"must be a number, but was {backoff_multiplier!r}")
        if not 1 <= backoff_multiplier <= 1000:
            a.fail("backoff_multiplier", f"must be from 1 to 1000, but was {backoff_multiplier}")
        self._refuse_second_handler(job_type)

        def register(handler: Handler) -> Handler:
            shape = shape_of(handler, "Worker.task")
            with self._lock:
                self._refuse_second_handler(job_type)
                self._tasks.append(
                    _Task(
                        job_type=job_type,
                        handler=handler,
                        shape=shape,
                        timeout_ms=timeout_ms,
                        max_jobs=max_jobs,
                        max_concurrency=max_concurrency,
                        backoff=Backoff(first_ms, float(backoff_multiplier), max_ms),
                        pool=ThreadPoolExecutor(max_concurrency, f"{self.name}-{job_type}"),
                    )
                )
            return handler

        return register

    def _refuse_second_handler(self, job_type: str) -> None:
        for task in self._tasks:
            if task.job_type == job_type:
                raise InvalidArgumentError.of_argument(
                    "Worker.task",
                    "job_type",
                    f"'{job_type}' has a handler already ({task.shape.name}); a job type has"
                    " one handler per worker",
                )

    def work_once(self) -> int:
        """Activate what each task type has room for and hand it to the handlers; returns
        how many jobs were handed out (on a claiming transport: claimed, handed out when
        their answer arrives)."""
        handed = 0
        self._read_waited = False
        self._full = True
        source = self._claim_source
        for task in self._tasks:
            with self._lock:
                task.running = {f for f in task.running if not f.done()}
                room = min(task.max_jobs, _room(task))
            if room <= 0:
                continue
            self._full = False
            if source is not None:
                handed += self._claim(source, task, room)
                continue
            jobs = self._client.activate_jobs(
                task.job_type,
                max_jobs=room,
                timeout=task.timeout_ms / 1000,
                worker=self.name,
                tenant_ids=self._tenants,
            )
            for job in jobs:
                with self._lock:
                    task.running.add(task.pool.submit(self._handle, task, job))
                    task.busy += 1
            handed += len(jobs)
        return handed

    def _claim(self, source: ClaimSource, task: _Task, room: int) -> int:
        claims = source.claim_jobs(
            task.job_type,
            max_jobs=room,
            timeout_ms=task.timeout_ms,
            worker=self.name,
            request_timeout=DEFAULT_REQUEST_TIMEOUT,
            # Wait for jobs in the read itself (one task type: it has the whole poll).
            wait=self._poll_interval if len(self._tasks) == 1 else 0.0,
            tenant_ids=self._tenants,
        )
        self._read_waited = len(self._tasks) == 1
        for claim in claims:
            with self._lock:
                task.claimed += claim.job_count
                task.claims.add(claim.answer)
            claim.answer.add_done_callback(
                functools.partial(self._claim_answered, task, claim.job_count)
            )
        return sum(claim.job_count for claim in claims)

    def _claim_answered(self, task: _Task, count: int, answer: Future[Record[Any]]) -> None:
        """Runs in the thread that completed the claim: hands its jobs to the handlers."""
        try:
            jobs = c.activated_jobs(answer.result())
        except Exception as error:  # a rejection, or no answer (its jobs are read again)
            log.warning("claim for %d %s jobs not answered: %s", count, task.job_type, error)
            jobs = []
        with self._claims_settled:
            task.claimed -= count
            for job in jobs:
                try:
                    task.running.add(task.pool.submit(self._handle, task, job))
                    task.busy += 1
                except RuntimeError:  # stopped meanwhile: the job times out and comes back
                    log.warning("job %d answered after the worker stopped", job.key)
            task.claims.discard(answer)
            self._claims_settled.notify_all()

    def drain(self) -> None:
        """Wait for every claim's answer (at most the request timeout), every running
        handler and the answers to the jobs they sent (each expires after the request
        timeout)."""
        with self._claims_settled:  # until each answer's jobs were handed to the handlers
            self._claims_settled.wait_for(
                lambda: not any(task.claims for task in self._tasks), DEFAULT_REQUEST_TIMEOUT
            )
        for task in self._tasks:
            with self._lock:
                running = list(task.running)
            for future in running:
                future.result()
        with self._answers_settled:  # the answers the handlers sent, each at most its timeout
            self._answers_settled.wait_for(
                lambda: not self._unanswered, DEFAULT_REQUEST_TIMEOUT + _MAX_POLL_PAUSE
            )

    def _handle(self, task: _Task, job: ActivatedJob) -> None:
        """Run the handler on one job and answer it; never raises (runs in the pool)."""
        try:
            self._answer(task, job)
        except Exception:  # a defect here must not lose the job silently
            log.exception("%s: the worker could not answer it", _about(job))
        finally:
            with self._claims_settled:  # a slot is free: wakes a poll that had no room
                task.busy -= 1
                self._claims_settled.notify_all()

    def _answer(self, task: _Task, job: ActivatedJob) -> None:
        try:
            result = task.handler(**arguments_for(task.shape, job))
            if inspect.isawaitable(result):
                result = self._async.run(result)
            variables = variables_of(result, task.shape)
        except BpmnError as error:
            log.info("%s: handler threw BPMN error %s", _about(job), error.code)
            command = throw_error_command(job.key, error.code, error.message, error.variables)
            self._send(job, command)
            return
        except (MissingVariablesError, ResultError) as error:
            self._fail(task, job, str(error), None)
            return
        except Exception as error:  # any failure of user code fails the job, never the worker
            self._fail(task, job, f"{type(error).__name__}: {error}", error)
            return
        try:
            command = complete_command(job.key, variables)
        except InvalidArgumentError as error:
            # Variables the client cannot send (a set, NaN, ...): the job must not hang.
            self._fail(task, job, f"handler {task.shape.name} returned {error.reason}", None)
            return
        self._send(job, command)

    def _fail(
        self, task: _Task, job: ActivatedJob, message: str, error: BaseException | None
    ) -> None:
        retries = max(job.retries - 1, 0)
        backoff_ms = task.backoff.next_ms(job) if retries > 0 else 0
        log.warning(
            "%s failed, %d retries left, retried after %.3f s: %s",
            _about(job),
            retries,
            backoff_ms / 1000,
            message,
            exc_info=error,
        )
        self._send(job, fail_command(job.key, retries, message, backoff_ms / 1000, None))

    def _send(self, job: ActivatedJob, command: Record[Any]) -> None:
        """Send the answer to `job`; on a transport that does not wait (`AnswerSink`) the
        slot is free once it is sent, else once it is answered."""
        partition = c.partition_of(command.key)
        sink = self._sink
        if sink is None:
            try:
                answer = self._client.transport.request(command, partition, DEFAULT_REQUEST_TIMEOUT)
            except HoneyflowError as error:
                self._settle(job, command, error)
            else:
                self._settle(job, command, answer)
            return
        self._room.acquire()  # at most `max_unanswered` outstanding: memory stays bounded
        try:
            future = sink.send(command, partition, DEFAULT_REQUEST_TIMEOUT)
        except BaseException:
            self._room.release()
            raise
        with self._answers_settled:
            self._unanswered.add(future)
            self._counts["outstanding"] += 1
        future.add_done_callback(functools.partial(self._answered, job, command))

    def _answered(
        self, job: ActivatedJob, command: Record[Any], future: Future[Record[Any]]
    ) -> None:
        """Runs in the thread that completed `future` (the reader of the answers)."""
        try:
            error = future.exception()
            self._settle(job, command, future.result() if error is None else error)
        finally:
            with self._answers_settled:
                self._unanswered.discard(future)
                self._counts["outstanding"] -= 1
                self._answers_settled.notify_all()
            self._room.release()

    def _settle(
        self, job: ActivatedJob, command: Record[Any], outcome: Record[Any] | BaseException
    ) -> None:
        """Count the answer to `command`; a refusal or no answer is logged with the job."""
        intent = command.intent.value
        if isinstance(outcome, BaseException):
            counter = "unanswered"
            log.warning("%s: no answer to %s: %s", _about(job), intent, outcome)
        elif outcome.is_rejection:
            counter = "refused"
            log.warning(
                "%s: %s refused: %s",
                _about(job),
                intent,
                rejection_error(
                    outcome.rejection_type.value, outcome.rejection_reason, f"JOB {intent}"
                ),
            )
        else:
            counter = _ACCEPTED[intent]
        with self._answers_settled:
            self._counts[counter] += 1

    def counts(self) -> WorkerCounts:
        """The answers this worker sent, by what came of them."""
        with self._answers_settled:
            return WorkerCounts(**self._counts)

    def run(self) -> None:
        """Poll until `stop()`; blocks the calling thread. A poll that fails (the engine or
        Kafka out of reach) is logged and tried again after a pause that doubles up to
        `_MAX_POLL_PAUSE` seconds: the worker never stops polling by itself."""
        pause = self._poll_interval
        while not self._stopping.is_set():
            try:
                handed = self.work_once()
            except Exception as error:
                log.warning(
                    "worker %s: polling for jobs failed, trying again in %.2f s: %s",
                    self.name,
                    pause,
                    error,
                    exc_info=not isinstance(error, HoneyflowError),
                )
                self._stopping.wait(pause)
                pause = min(pause * 2, max(_MAX_POLL_PAUSE, self._poll_interval))
                continue
            pause = self._poll_interval
            if handed == 0 and self._full:
                # Every slot taken: poll again as soon as a handler finishes or a claim is
                # answered, not a whole poll interval later.
                with self._claims_settled:
                    self._claims_settled.wait_for(
                        lambda: (
                            self._stopping.is_set() or any(_room(task) > 0 for task in self._tasks)
                        ),
                        self._poll_interval,
                    )
            elif handed == 0 and not self._read_waited:
                self._stopping.wait(self._poll_interval)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10) -> None:
        """Stop polling, let running handlers finish, release the threads."""
        if timeout is not None:
            timeout = Arguments("Worker.stop").seconds("timeout", timeout)
        self._stopping.set()
        with self._claims_settled:  # a poll waiting for room stops waiting
            self._claims_settled.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self.drain()
        for task in self._tasks:
            task.pool.shutdown(wait=True)
        self._async.close()


def _room(task: _Task) -> int:
    """Jobs `task` may take now (call holding the worker's lock)."""
    return task.max_concurrency - task.busy - task.claimed


def _about(job: ActivatedJob) -> str:
    return f"job {job.key} (type {job.type}, element {job.element_id})"
