"""JOB_BATCH ACTIVATE: hand up to `maxJobsToActivate` activatable jobs of a type to one worker,
each with a deadline and the variables visible at its task. Only jobs of the batch's
`tenantIds` are handed out (the default tenant when it names none). The oldest jobs go first;
an activated job is not handed out again until it is completed, failed or timed out."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from broker.protocol import Record, RejectionType
from broker.protocol.fast_init import fast_replacer
from broker.protocol.intents import JobBatchIntent
from broker.protocol.values import DEFAULT_TENANT_ID, JobBatchRecordValue, JobRecordValue
from processors.engine.context import ProcessingContext
from processors.engine.state import JobStatus

_activated_job = fast_replacer(JobRecordValue, ("worker", "timeout", "deadline", "variables"))
_activated_batch = fast_replacer(JobBatchRecordValue, ("job_keys", "jobs", "truncated"))


def activate_jobs(command: Record[JobBatchRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    if not value.type:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT, "Expected a job type to activate, but none given"
        )
        return
    if value.max_jobs_to_activate < 1:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected to activate job batch with max jobs to activate to be greater than zero,"
            f" but it was '{value.max_jobs_to_activate}'",
        )
        return
    if value.timeout < 1:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected to activate job batch with timeout to be greater than zero, but it was"
            f" '{value.timeout}'",
        )
        return
    keys: list[int] = []
    jobs: list[JobRecordValue] = []
    truncated = False
    tenants = tuple(dict.fromkeys(value.tenant_ids)) or (DEFAULT_TENANT_ID,)
    for job_key in _candidates(value.type, tenants, value.job_keys, ctx):
        if len(keys) == value.max_jobs_to_activate:
            truncated = True
            break
        job = ctx.state.jobs.get(job_key)
        if job is None:
            continue
        variables = ctx.state.variables.visible(job.value.element_instance_key)
        keys.append(job_key)
        jobs.append(
            _activated_job(
                job.value, value.worker, value.timeout, ctx.now_ms + value.timeout, variables
            )
        )
    activated = _activated_batch(value, tuple(keys), tuple(jobs), truncated)
    if not keys:
        # Nothing to hand out: answer without writing anything (Zeebe's long poll would wait).
        ctx.respond(
            Record.event(
                JobBatchIntent.ACTIVATED,
                activated,
                key=-1,
                partition_id=ctx.partition_id,
                timestamp=ctx.now_ms,
            )
        )
        return
    ctx.respond(ctx.event(ctx.next_key(), JobBatchIntent.ACTIVATED, activated))


def _candidates(
    job_type: str, tenants: tuple[str, ...], job_keys: tuple[int, ...], ctx: ProcessingContext
) -> Iterable[int]:
    """The activatable jobs of `job_type` of the tenants (oldest first across them), or only
    those of `job_keys` that still are: a Kafka worker asks for the one job it read from its
    topic, and gets nothing if another worker took it, or it was completed or canceled
    meanwhile, or it belongs to a tenant the batch does not name."""
    jobs = ctx.state.jobs
    if not job_keys:
        if len(tenants) == 1:
            return jobs.activatable(job_type, tenants[0])
        return heapq.merge(*(jobs.activatable(job_type, tenant) for tenant in tenants))
    wanted = []
    for key in job_keys:
        job = jobs.get(key)
        if (
            job is not None
            and job.status is JobStatus.ACTIVATABLE
            and job.value.type == job_type
            and job.value.tenant_id in tenants
        ):
            wanted.append(key)
    return wanted
