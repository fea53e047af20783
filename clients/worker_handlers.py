"""How a `Worker` calls a handler: which variables its parameters take (checked when it is
registered), the arguments for one job (a required variable that is not set fails the job),
`async def` handlers run on one event loop the worker keeps in a thread of its own, and the
exponential back-off of a failed job."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from clients.arguments import Arguments
from clients.results import ActivatedJob

Handler = Callable[..., Any]
"""Returns a dict of variables or None, or an awaitable of one (`async def`)."""


@dataclass(frozen=True, slots=True)
class HandlerShape:
    """What a handler's parameters ask for."""

    name: str
    required: tuple[str, ...]
    """Variables the handler cannot do without (parameters with no default)."""
    optional: tuple[str, ...]
    """Variables passed when set; else the parameter's default applies."""
    takes_all: bool
    """`**kwargs`: every variable is passed."""
    wants_job: bool
    """A parameter called `job` gets the `ActivatedJob`."""


def shape_of(handler: object, call: str) -> HandlerShape:
    """The shape of `handler`; a parameter that cannot be passed by name is refused."""
    a = Arguments(call)
    if not callable(handler):
        a.fail("handler", f"must be a function, but was {handler!r}")
    name = getattr(handler, "__qualname__", None) or repr(handler)
    try:
        parameters = list(inspect.signature(handler).parameters.values())
    except (TypeError, ValueError) as error:
        a.fail("handler", f"{name} has no signature to read ({error})")
    required: list[str] = []
    optional: list[str] = []
    for p in parameters:
        if p.name == "job" or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if p.kind is p.POSITIONAL_ONLY and p.default is p.empty:
            a.fail(
                "handler",
                f"{name}: parameter {p.name} is positional-only; variables are passed by name",
            )
        if p.kind is p.POSITIONAL_ONLY:
            continue
        (required if p.default is p.empty else optional).append(p.name)
    return HandlerShape(
        name=name,
        required=tuple(required),
        optional=tuple(optional),
        takes_all=any(p.kind is p.VAR_KEYWORD for p in parameters),
        wants_job=any(p.name == "job" for p in parameters),
    )


class MissingVariablesError(Exception):
    """A job lacks variables its handler requires."""

    def __init__(self, names: list[str]) -> None:
        listed = ", ".join(f"'{n}'" for n in names)
        plural = "s" if len(names) > 1 else ""
        super().__init__(
            f"the job has no variable{plural} {listed}, which the handler requires"
            " (give the parameter a default to make it optional)"
        )
        self.names = names


def arguments_for(shape: HandlerShape, job: ActivatedJob) -> dict[str, Any]:
    variables = job.variables
    missing = [n for n in shape.required if n not in variables]
    if missing:
        raise MissingVariablesError(missing)
    if shape.takes_all:
        kwargs = dict(variables)
    else:
        kwargs = {n: variables[n] for n in shape.required}
        kwargs.update((n, variables[n]) for n in shape.optional if n in variables)
    if shape.wants_job:
        kwargs["job"] = job
    return kwargs


class ResultError(Exception):
    """A handler returned something that cannot complete a job."""


def variables_of(result: object, shape: HandlerShape) -> dict[str, Any]:
    """The variables a handler's result completes the job with: a dict, or None for none."""
    if result is None:
        return {}
    if isinstance(result, Mapping):
        return dict(result)
    raise ResultError(
        f"handler {shape.name} returned {type(result).__name__}, but must return a dict of"
        " variables or None"
    )


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off of failed jobs: the first failure waits `first_ms`, each further
    failure of the same job `multiplier` times what the job waited last (carried by the job
    itself, `ActivatedJob.retry_backoff`, so it holds across workers), at most `max_ms`."""

    first_ms: int
    multiplier: float
    max_ms: int

    def next_ms(self, job: ActivatedJob) -> int:
        if self.first_ms == 0:
            return 0
        if job.retry_backoff <= 0:
            return min(self.first_ms, self.max_ms)
        grown = round(job.retry_backoff * self.multiplier)
        return min(max(grown, self.first_ms), self.max_ms)


class AsyncRunner:
    """One event loop in a thread of its own for the worker's `async def` handlers, started
    when the first one runs; the calling (pool) thread waits for its handler's result, so at
    most `max_concurrency` handlers of a task type run at once, as for plain functions."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def run(self, awaitable: Awaitable[Any]) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(_wrap(awaitable), self._ready())
        return future.result()

    def _ready(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name=f"{self._name}-asyncio", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


async def _wrap(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
