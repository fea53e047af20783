"""ActivateJobs with Zeebe's long polling, on the job topics: a request reads `<p>jobs.<type>`
in the same consumer group as every Honeyflow worker of that type and claims the jobs read,
and when there are none it stays parked until jobs arrive or its `requestTimeout` (10 s when
0, none when negative) has passed; then it completes with zero jobs, as Zeebe's gateway does.

A parked request takes the jobs the feed has fetched (or waits for a first one, holding a
thread of the gateway's activation pool, in slices of at most a second so that a request whose
client went away is let go soon), sends their claims and awaits the engine's answers on the
event loop: the feed is free for the next request while the claims are on their way, and its
offsets are committed asynchronously (`JobFeed.claim`, the pipelined form a `Worker` uses).
A request that does not wait (negative `requestTimeout`) reads up to the topic's end as it was
when the call came (`JobFeed.activate`), so that it sees every job created before it. Jobs that
could not be handed to the client are failed back with their retries unchanged, so they are
activatable again at once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import grpc
from pyzeebe.proto import gateway_pb2 as pb

from broker.protocol.intents import JobIntent
from broker.protocol.tenants import tenant_problem
from broker.protocol.values import DEFAULT_TENANT_ID
from clients import commands as c
from clients.errors import RequestTimeoutError
from clients.gateway import messages as m
from clients.gateway.status import check_answer, invalid_argument
from clients.kafka_jobs import JobClaim
from clients.kafka_transport import KafkaTransport

DEFAULT_LONG_POLL: Final = 10.0
"""Seconds a request with `requestTimeout` 0 stays parked (Zeebe's gateway default)."""
_SLICE: Final = 1.0
STREAM_BATCH: Final = 32
"""Most jobs a StreamActivatedJobs stream claims at once."""
_CLAIM_TIMEOUT: Final = 30.0
"""Seconds a claim of jobs read may wait for the engine's answer."""


class JobActivation:
    def __init__(self, transport: KafkaTransport, *, threads: int = 64) -> None:
        self._transport = transport
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="honeyflow-gateway-jobs")
        self._giving_back: set[asyncio.Task[None]] = set()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def activate(
        self, request: pb.ActivateJobsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> list[pb.ActivatedJob]:
        _check(request)
        if request.requestTimeout == 0:
            park = DEFAULT_LONG_POLL
        else:
            park = max(request.requestTimeout, 0) / 1000
        gone = threading.Event()
        context.add_done_callback(lambda _context: gone.set())
        loop = asyncio.get_running_loop()
        reading: asyncio.Future[list[Any]]
        if park > 0:
            reading = asyncio.ensure_future(self._poll(request, park, gone))
        else:
            reading = loop.run_in_executor(self._pool, self._read, request, park, gone)
        try:
            answers = await asyncio.shield(reading)
        except asyncio.CancelledError:
            # The client went away while the read was under way: what it claims goes back.
            gone.set()
            reading.add_done_callback(self._give_back_later)
            raise
        return _jobs(answers, tuple(request.fetchVariable))

    async def stream(
        self, request: pb.StreamActivatedJobsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[list[pb.ActivatedJob]]:
        """Batches of jobs as they become activatable, until the client goes away."""
        poll = pb.ActivateJobsRequest(
            type=request.type,
            worker=request.worker,
            timeout=request.timeout,
            maxJobsToActivate=STREAM_BATCH,
            fetchVariable=request.fetchVariable,
            requestTimeout=round(_SLICE * 1000),
            tenantIds=request.tenantIds,
        )
        while not context.done():
            jobs = await self.activate(poll, context)
            if jobs:
                yield jobs

    def _give_back_later(self, reading: asyncio.Future[list[Any]]) -> None:
        if reading.cancelled() or reading.exception() is not None:
            return
        jobs = _jobs(reading.result(), ())
        if jobs:
            task = asyncio.ensure_future(self.give_back(jobs))
            self._giving_back.add(task)
            task.add_done_callback(self._giving_back.discard)

    async def _poll(
        self, request: pb.ActivateJobsRequest, park: float, gone: threading.Event
    ) -> list[Any]:
        """The answers of the first claims that activated jobs, or [] once `park` seconds
        have passed (or the client went away) without any."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + park
        while True:
            wait = max(0.0, min(_SLICE, deadline - time.monotonic()))
            claims = await loop.run_in_executor(self._pool, self._claim, request, wait)
            answers = await _answers(claims)
            if any(a.value.job_keys for a in answers):
                return answers
            if gone.is_set() or time.monotonic() >= deadline:
                return []

    def _claim(self, request: pb.ActivateJobsRequest, wait: float) -> list[JobClaim]:
        return self._transport.claim_jobs(
            request.type,
            max_jobs=request.maxJobsToActivate,
            timeout_ms=request.timeout,
            worker=request.worker,
            request_timeout=_CLAIM_TIMEOUT,
            wait=wait,
            tenant_ids=_tenants(request),
        )

    def _read(
        self, request: pb.ActivateJobsRequest, park: float, gone: threading.Event
    ) -> list[Any]:
        deadline = time.monotonic() + park
        while True:
            wait = max(0.0, min(_SLICE, deadline - time.monotonic()))
            answers = [
                check_answer(answer)
                for answer in self._transport.activate_jobs(
                    request.type,
                    max_jobs=request.maxJobsToActivate,
                    timeout_ms=request.timeout,
                    worker=request.worker,
                    request_timeout=_CLAIM_TIMEOUT,
                    wait=wait,
                    tenant_ids=_tenants(request),
                )
            ]
            if any(a.value.job_keys for a in answers):
                return answers
            if gone.is_set() or time.monotonic() >= deadline:
                return []

    async def give_back(self, jobs: list[pb.ActivatedJob]) -> None:
        """Fail `jobs` with their retries unchanged: the client did not get them."""
        loop = asyncio.get_running_loop()
        for job in jobs:  # each on its own partition; few at a time
            command = c.job_command(
                JobIntent.FAIL,
                job.key,
                retries=job.retries,
                error_message="the gateway could not hand the job to its worker",
            )
            await loop.run_in_executor(
                self._pool, self._transport.request, command, c.partition_of(job.key), 10.0
            )


async def _answers(claims: list[JobClaim]) -> list[Any]:
    """The answers to `claims` (a rejection raises as Zeebe's gateway maps it). A claim without
    an answer by its deadline is left to the feed, which gives it up and reads its jobs again
    (`JobFeed.claim`); that raises only when no other claim activated jobs."""
    answers: list[Any] = []
    first_timeout: RequestTimeoutError | None = None
    for claim in claims:
        answer = asyncio.wrap_future(claim.answer)
        remaining = max(0.0, claim.deadline - time.monotonic())
        done, _ = await asyncio.wait((answer,), timeout=remaining)
        try:
            if not done:
                answer.add_done_callback(_ignore)
                raise RequestTimeoutError(
                    f"no answer to the claim of {claim.job_count} jobs within {claim.timeout} s"
                )
            answers.append(check_answer(answer.result()))
        except RequestTimeoutError as error:
            first_timeout = first_timeout or error
    if first_timeout is not None and not any(a.value.job_keys for a in answers):
        raise first_timeout
    return answers


def _ignore(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved: the claim was given up already


def _jobs(answers: list[Any], fetch: tuple[str, ...]) -> list[pb.ActivatedJob]:
    return [
        m.activated_job(key, job, fetch)
        for answer in answers
        for key, job in zip(answer.value.job_keys, answer.value.jobs, strict=True)
    ]


def _check(request: pb.ActivateJobsRequest) -> None:
    """Zeebe's gateway's own checks of an ActivateJobs request."""
    if not request.type:
        raise invalid_argument("Expected to activate jobs of a type, but the type was blank")
    if request.maxJobsToActivate < 1:
        raise invalid_argument(
            "Expected to activate jobs with maxJobsToActivate greater than 0, but it was"
            f" {request.maxJobsToActivate}"
        )
    if request.timeout < 1:
        raise invalid_argument(
            f"Expected to activate jobs with a timeout greater than 0, but it was {request.timeout}"
        )
    for tenant in request.tenantIds:
        problem = tenant_problem(tenant)
        if problem is not None:
            raise invalid_argument(
                f"Expected to handle gRPC request ActivateJobs with tenant identifier"
                f" '{tenant}', but {problem}"
            )


def _tenants(request: pb.ActivateJobsRequest) -> tuple[str, ...]:
    """The tenants whose jobs the request activates: those it names, else the default one."""
    return tuple(dict.fromkeys(t.strip() or DEFAULT_TENANT_ID for t in request.tenantIds)) or (
        DEFAULT_TENANT_ID,
    )
