"""Appliers of job, job batch and incident events: a job's status and indexes follow its
events (activatable → activated → completed / failed / timed out / error thrown)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import IncidentIntent, JobBatchIntent, JobIntent
from broker.protocol.values import IncidentRecordValue, JobBatchRecordValue, JobKind, JobRecordValue
from processors.engine.state import EngineState, JobStatus

_Applier = Callable[[Record[Any], EngineState], None]


def _set_element_job(
    state: EngineState, element_key: int, job_key: int, variables: dict[str, Any] | None
) -> None:
    """The element's job (-1: none); `variables`, unless None, are handed to its completion."""
    instance = state.elements.get(element_key)
    if instance is not None:
        handed = instance.completion_variables if variables is None else variables
        state.elements.put(instance.with_job(job_key, handed))


def _created(record: Record[JobRecordValue], state: EngineState) -> None:
    state.jobs.put(record.key, JobStatus.ACTIVATABLE, record.value)
    _set_element_job(state, record.value.element_instance_key, record.key, None)


def _batch_activated(record: Record[JobBatchRecordValue], state: EngineState) -> None:
    for key, job in zip(record.value.job_keys, record.value.jobs, strict=True):
        state.jobs.put(key, JobStatus.ACTIVATED, job)


def _completed(record: Record[JobRecordValue], state: EngineState) -> None:
    state.jobs.remove(record.key)
    value = record.value
    if value.job_kind is JobKind.EXECUTION_LISTENER:
        # One more listener done; its variables were written with the completion, and the
        # element's completion variables (its own job's result) stay as they are.
        instance = state.elements.get(value.element_instance_key)
        if instance is not None:
            done = instance.with_job(-1, instance.completion_variables)
            state.elements.put(done.with_listener_index(instance.listener_index + 1))
        return
    _set_element_job(state, value.element_instance_key, -1, value.variables)


def _failed(record: Record[JobRecordValue], state: EngineState) -> None:
    value = record.value
    if value.retries > 0 and value.retry_backoff > 0:
        state.jobs.put(record.key, JobStatus.FAILED, value)
    elif value.retries > 0:
        state.jobs.put(record.key, JobStatus.ACTIVATABLE, value)
    else:
        state.jobs.put(record.key, JobStatus.FAILED, value)


def _status(status: JobStatus) -> _Applier:
    def apply(record: Record[JobRecordValue], state: EngineState) -> None:
        state.jobs.put(record.key, status, record.value)

    return apply


def _retries_updated(record: Record[JobRecordValue], state: EngineState) -> None:
    job = state.jobs.get(record.key)
    if job is not None:
        state.jobs.put(record.key, job.status, record.value)


def _removed(record: Record[JobRecordValue], state: EngineState) -> None:
    state.jobs.remove(record.key)


def _incident_created(record: Record[IncidentRecordValue], state: EngineState) -> None:
    state.incidents.put(record.key, record.value)


def _incident_resolved(record: Record[IncidentRecordValue], state: EngineState) -> None:
    state.incidents.remove(record.key)
    job_key = record.value.job_key
    if job_key == -1:
        # The failed step runs again from its start: its execution listeners too (Zeebe).
        instance = state.elements.get(record.value.element_instance_key)
        if instance is not None and instance.listener_index:
            state.elements.put(instance.with_listener_index(0))
    if job_key != -1:
        job = state.jobs.get(job_key)
        if job is not None and job.status in (JobStatus.FAILED, JobStatus.ERROR_THROWN):
            value = dataclasses.replace(job.value, recurring_time=-1, deadline=-1)
            state.jobs.put(job_key, JobStatus.ACTIVATABLE, value)


JOB_APPLIERS: dict[tuple[ValueType, Intent], _Applier] = {
    (ValueType.JOB, JobIntent.CREATED): _created,
    (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATED): _batch_activated,
    (ValueType.JOB, JobIntent.COMPLETED): _completed,
    (ValueType.JOB, JobIntent.FAILED): _failed,
    (ValueType.JOB, JobIntent.TIMED_OUT): _status(JobStatus.ACTIVATABLE),
    (ValueType.JOB, JobIntent.RECURRED_AFTER_BACKOFF): _status(JobStatus.ACTIVATABLE),
    (ValueType.JOB, JobIntent.ERROR_THROWN): _status(JobStatus.ERROR_THROWN),
    (ValueType.JOB, JobIntent.RETRIES_UPDATED): _retries_updated,
    # The deadline index follows the new deadline (put unindexes the stored one).
    (ValueType.JOB, JobIntent.TIMEOUT_UPDATED): _status(JobStatus.ACTIVATED),
    (ValueType.JOB, JobIntent.CANCELED): _removed,
    (ValueType.INCIDENT, IncidentIntent.CREATED): _incident_created,
    (ValueType.INCIDENT, IncidentIntent.RESOLVED): _incident_resolved,
}
