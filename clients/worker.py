"""Job workers in the manner of pyzeebe: register a handler per job type with a decorator;
the worker activates jobs, calls the handler with the variables its parameters name (a
parameter called `job` gets the ActivatedJob, `**kwargs` gets every variable), completes the
job with the returned dict, fails it with one retry fewer on an exception, and throws a BPMN
error on `BpmnError`. Concurrency is bounded per task type; `stop()` lets running handlers
finish.

    worker = Worker(client)

    @worker.task("payment", timeout=30, max_concurrency=4)
    def charge(amount: int) -> dict:
        return {"paid": True}

    worker.start(); ...; worker.stop()
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from clients.client import Client
from clients.errors import HoneyflowError
from clients.results import ActivatedJob

log = logging.getLogger(__name__)

Handler = Callable[..., dict[str, Any] | None]


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
        how many jobs were handed out."""
        handed = 0
        for task in self._tasks:
            with self._lock:
                task.running = {f for f in task.running if not f.done()}
                room = min(task.max_jobs, task.max_concurrency - len(task.running))
            if room <= 0:
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

    def drain(self) -> None:
        """Wait for every running handler."""
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
            if self.work_once() == 0:
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
