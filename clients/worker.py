"""Job workers in the manner of pyzeebe: register a handler per job type with a decorator;
the worker activates jobs, calls the handler with the variables its parameters name (a
parameter called `job` gets the ActivatedJob, `**kwargs` gets every variable), completes the
job with the returned dict, fails it with one retry fewer on an exception, and throws a BPMN
error on `BpmnError`. Concurrency is bounded per task type; `stop()` lets running handlers
finish.

On `kafka://` the worker claims pipelined: each poll claims the jobs read since the last one
without waiting for the answers of earlier claims, and hands the jobs of an answer to the
handlers when it arrives (`KafkaTransport.claim_jobs`); jobs claimed and not yet answered
count against `max_concurrency`.

    worker = Worker(client)

    @worker.task("payment", timeout=30, max_concurrency=4)
    def charge(amount: int) -> dict:
        return {"paid": True}

    worker.start(); ...; worker.stop()
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from broker.protocol import Record
from clients import commands as c
from clients.client import DEFAULT_REQUEST_TIMEOUT, Client
from clients.errors import HoneyflowError
from clients.results import ActivatedJob

log = logging.getLogger(__name__)

Handler = Callable[..., dict[str, Any] | None]


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
    ) -> list[PendingClaim]: ...


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
    timeout: float
    max_jobs: int
    max_concurrency: int
    names: tuple[str, ...] | None
    wants_job: bool
    pool: ThreadPoolExecutor
    running: set[Future[None]] = field(default_factory=set)
    claims: set[Future[Record[Any]]] = field(default_factory=set)
    """Answers of claims sent and not yet answered."""
    claimed: int = 0
    """Jobs in `claims`."""


class Worker:
    def __init__(
        self, client: Client, *, name: str = "honeyflow-worker", poll_interval: float = 0.05
    ) -> None:
        self._client = client
        self.name = name
        self._poll_interval = poll_interval
        self._tasks: list[_Task] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._claims_settled = threading.Condition(self._lock)
        self._read_waited = False
        """The last `work_once` waited for jobs in a read (no extra sleep needed)."""

    def task(
        self,
        job_type: str,
        *,
        timeout: float = 60,
        max_jobs: int = 32,
        max_concurrency: int = 4,
    ) -> Callable[[Handler], Handler]:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")

        def register(handler: Handler) -> Handler:
            parameters = inspect.signature(handler).parameters.values()
            takes_all = any(p.kind is p.VAR_KEYWORD for p in parameters)
            names = tuple(
                p.name for p in parameters if p.name != "job" and p.kind is not p.VAR_KEYWORD
            )
            self._tasks.append(
                _Task(
                    job_type=job_type,
                    handler=handler,
                    timeout=timeout,
                    max_jobs=max_jobs,
                    max_concurrency=max_concurrency,
                    names=None if takes_all else names,
                    wants_job=any(p.name == "job" for p in parameters),
                    pool=ThreadPoolExecutor(max_concurrency, f"{self.name}-{job_type}"),
                )
            )
            return handler

        return register

    def work_once(self) -> int:
        """Activate what each task type has room for and hand it to the handlers; returns
        how many jobs were handed out (on a claiming transport: claimed, handed out when
        their answer arrives)."""
        handed = 0
        self._read_waited = False
        transport = self._client.transport
        source = transport if isinstance(transport, ClaimSource) else None
        for task in self._tasks:
            with self._lock:
                task.running = {f for f in task.running if not f.done()}
                room = min(task.max_jobs, task.max_concurrency - len(task.running) - task.claimed)
            if room <= 0:
                continue
            if source is not None:
                handed += self._claim(source, task, room)
                continue
            jobs = self._client.activate_jobs(
                task.job_type, max_jobs=room, timeout=task.timeout, worker=self.name
            )
            for job in jobs:
                future = task.pool.submit(self._handle, task, job)
                with self._lock:
                    task.running.add(future)
            handed += len(jobs)
        return handed

    def _claim(self, source: ClaimSource, task: _Task, room: int) -> int:
        claims = source.claim_jobs(
            task.job_type,
            max_jobs=room,
            timeout_ms=c.seconds_to_ms(task.timeout),
            worker=self.name,
            request_timeout=DEFAULT_REQUEST_TIMEOUT,
            # Wait for jobs in the read itself (one task type: it has the whole poll).
            wait=self._poll_interval if len(self._tasks) == 1 else 0.0,
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
                except RuntimeError:  # stopped meanwhile: the job times out and comes back
                    log.warning("job %d answered after the worker stopped", job.key)
            task.claims.discard(answer)
            self._claims_settled.notify_all()

    def drain(self) -> None:
        """Wait for every claim's answer (at most the request timeout) and every running
        handler."""
        with self._claims_settled:  # until each answer's jobs were handed to the handlers
            self._claims_settled.wait_for(
                lambda: not any(task.claims for task in self._tasks), DEFAULT_REQUEST_TIMEOUT
            )
        for task in self._tasks:
            with self._lock:
                running = list(task.running)
            for future in running:
                future.result()

    def _handle(self, task: _Task, job: ActivatedJob) -> None:
        variables = job.variables
        if task.names is None:
            kwargs = dict(variables)
        else:
            kwargs = {n: variables.get(n) for n in task.names}
        if task.wants_job:
            kwargs["job"] = job
        try:
            result = task.handler(**kwargs)
        except BpmnError as error:
            self._safely(
                self._client.throw_error, job.key, error.code, error.message, error.variables
            )
            return
        except Exception as error:  # any failure of user code fails the job, never the worker
            message = f"{type(error).__name__}: {error}"
            self._safely(self._client.fail_job, job.key, max(job.retries - 1, 0), message)
            return
        self._safely(self._client.complete_job, job.key, result or {})

    @staticmethod
    def _safely(call: Callable[..., None], *args: Any) -> None:
        try:
            call(*args)
        except HoneyflowError as error:  # e.g. the job was canceled meanwhile
            log.warning("job command refused: %s", error)

    def run(self) -> None:
        """Poll until `stop()`; blocks the calling thread."""
        while not self._stopping.is_set():
            if self.work_once() == 0 and not self._read_waited:
                self._stopping.wait(self._poll_interval)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10) -> None:
        """Stop polling, let running handlers finish, release the threads."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.drain()
        for task in self._tasks:
            task.pool.shutdown(wait=True)
