"""Commands on jobs: COMPLETE, FAIL, THROW_ERROR, UPDATE_RETRIES, UPDATE_TIMEOUT, and the
time-driven TIME_OUT and RECUR_AFTER_BACKOFF. Running out of retries raises a JOB_NO_RETRIES
incident; an error nobody catches raises UNHANDLED_ERROR_EVENT."""

from __future__ import annotations

import dataclasses
from typing import Any

from broker.protocol import Record, RejectionType
from broker.protocol.fast_init import fast_replacer
from broker.protocol.intents import JobIntent
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import ErrorType, JobKind, JobListenerEventType, JobRecordValue
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall, call_for
from processors.engine.bpmn.error_behavior import throw_error, unhandled_error_message
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.variable_behavior import set_local
from processors.engine.context import ProcessingContext
from processors.engine.state import JobStatus, StoredJob

_with_variables = fast_replacer(JobRecordValue, ("variables",))


def _job(
    ctx: ProcessingContext, command: Record[Any], verb: str, allowed: tuple[JobStatus, ...]
) -> StoredJob | None:
    job = ctx.state.jobs.get(command.key)
    if job is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to {verb} job with key '{command.key}', but no such job was found",
        )
        return None
    if job.status not in allowed:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to {verb} job with key '{command.key}', but it is in state"
            f" '{job.status.value}'",
        )
        return None
    return job


def complete_job(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    job = _job(ctx, command, "complete", (JobStatus.ACTIVATABLE, JobStatus.ACTIVATED))
    if job is None:
        return
    value = _with_variables(job.value, dict(command.value.variables))
    ctx.respond(ctx.event(command.key, JobIntent.COMPLETED, value))
    ctx.retract_job(command.key, value.type, value.tenant_id)
    instance = ctx.state.elements.get(value.element_instance_key)
    if instance is None:
        return
    if value.job_kind is JobKind.EXECUTION_LISTENER:
        _listener_completed(call_for(ctx, instance), value)
    elif instance.state is PI.ELEMENT_ACTIVATED:
        lifecycle.request_completion(call_for(ctx, instance))


def _listener_completed(call: ElementCall, job: JobRecordValue) -> None:
    """A start listener's variables become local variables of the element; an end
    listener's go to its flow scope (the process's own stay on it), as Zeebe's do."""
    if job.variables:
        scope_key = call.key
        if job.job_listener_event_type is JobListenerEventType.END:
            flow_scope_key = call.value.flow_scope_key
            scope_key = call.key if flow_scope_key == -1 else flow_scope_key
        set_local(call, scope_key, job.variables)
    call.ctx.follow_up(call.key, PI.COMPLETE_EXECUTION_LISTENER, call.value)


def fail_job(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    job = _job(ctx, command, "fail", (JobStatus.ACTIVATED,))
    if job is None:
        return
    given = command.value
    retries = max(0, given.retries)
    backoff = max(0, given.retry_backoff)
    value = dataclasses.replace(
        job.value,
        retries=retries,
        error_message=given.error_message,
        retry_backoff=backoff,
        recurring_time=ctx.now_ms + backoff if retries > 0 and backoff > 0 else -1,
        deadline=-1,
        variables=dict(given.variables),
    )
    failed = ctx.event(command.key, JobIntent.FAILED, value)
    ctx.respond(failed)
    ctx.publish_job(command.key, failed)  # kept if activatable: retries and no back-off
    _set_failure_variables(ctx, value)
    if retries == 0:
        listener = value.job_kind is JobKind.EXECUTION_LISTENER
        _job_incident(
            ctx,
            command.key,
            value,
            ErrorType.EXECUTION_LISTENER_NO_RETRIES if listener else ErrorType.JOB_NO_RETRIES,
            value.error_message or "No more retries left.",
        )


def _set_failure_variables(ctx: ProcessingContext, job: JobRecordValue) -> None:
    """FAIL's variables become local variables of the job's element, as in Zeebe 8: the
    retried job and whoever resolves the incident see them (VARIABLE CREATED/UPDATED)."""
    if not job.variables:
        return
    instance = ctx.state.elements.get(job.element_instance_key)
    if instance is not None:
        set_local(call_for(ctx, instance), job.element_instance_key, job.variables)


def _job_incident(
    ctx: ProcessingContext, job_key: int, job: JobRecordValue, error_type: ErrorType, message: str
) -> None:
    instance = ctx.state.elements.get(job.element_instance_key)
    if instance is not None:
        raise_incident(call_for(ctx, instance), error_type, message, job_key=job_key)


def throw_job_error(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    job = _job(ctx, command, "throw an error for", (JobStatus.ACTIVATABLE, JobStatus.ACTIVATED))
    if job is None:
        return
    if job.value.job_kind is not JobKind.BPMN_ELEMENT:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Cannot throw BPMN error from {job.value.job_kind.value} job with key"
            f" '{command.key}', type '{job.value.type}' and processInstanceKey"
            f" '{job.value.process_instance_key}'",
        )
        return
    given = command.value
    value = dataclasses.replace(
        job.value,
        error_code=given.error_code,
        error_message=given.error_message,
        variables=dict(given.variables),
    )
    ctx.respond(ctx.event(command.key, JobIntent.ERROR_THROWN, value))
    instance = ctx.state.elements.get(value.element_instance_key)
    if instance is None:
        return
    call = call_for(ctx, instance)
    if not throw_error(call, value.error_code, value.error_message, dict(given.variables)):
        raise_incident(
            call,
            ErrorType.UNHANDLED_ERROR_EVENT,
            unhandled_error_message(call, value.error_code, value.error_message),
            job_key=command.key,
        )


def update_retries(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    retries = command.value.retries
    if retries < 1:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            f"Expected job's retries to be greater than zero, but it was '{retries}'",
        )
        return
    job = _job(ctx, command, "update retries of", tuple(JobStatus))
    if job is None:
        return
    value = dataclasses.replace(job.value, retries=retries)
    updated = ctx.event(command.key, JobIntent.RETRIES_UPDATED, value)
    ctx.respond(updated)
    ctx.publish_job(command.key, updated)


def update_timeout(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    """A new deadline for an activated job: now + the given timeout (Zeebe's UPDATE_TIMEOUT;
    the job's activation `timeout` is left as it was, as Zeebe does)."""
    timeout = command.value.timeout
    if timeout < 0:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            f"Expected job's timeout to be zero or more milliseconds, but it was '{timeout}'",
        )
        return
    job = ctx.state.jobs.get(command.key)
    if job is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to update job with key '{command.key}', but no such job was found",
        )
        return
    if job.status is not JobStatus.ACTIVATED:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to update the timeout of job with key '{command.key}', but it is not active",
        )
        return
    value = dataclasses.replace(job.value, deadline=ctx.now_ms + timeout)
    ctx.respond(ctx.event(command.key, JobIntent.TIMEOUT_UPDATED, value))


def time_out(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    job = _job(ctx, command, "time out", (JobStatus.ACTIVATED,))
    if job is None:
        return
    if job.value.deadline > ctx.now_ms:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to time out job with key '{command.key}', but its deadline"
            f" '{job.value.deadline}' has not passed",
        )
        return
    value = dataclasses.replace(job.value, deadline=-1, worker="")
    ctx.publish_job(command.key, ctx.event(command.key, JobIntent.TIMED_OUT, value))


def recur_after_backoff(command: Record[JobRecordValue], ctx: ProcessingContext) -> None:
    job = _job(ctx, command, "recur", (JobStatus.FAILED,))
    if job is None:
        return
    if job.value.retries < 1 or not 0 <= job.value.recurring_time <= ctx.now_ms:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to recur job with key '{command.key}' after its back-off, but it is not"
            " waiting for a back-off that has passed",
        )
        return
    value = dataclasses.replace(job.value, recurring_time=-1)
    ctx.publish_job(command.key, ctx.event(command.key, JobIntent.RECURRED_AFTER_BACKOFF, value))
