"""Values of jobs (work items for workers) and job batches."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from broker.protocol.fast_init import fast_init
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)


class JobKind(StrEnum):
    """What a job does for its element (Zeebe's `JobKind`)."""

    BPMN_ELEMENT = "BPMN_ELEMENT"
    """The work of a job-based element (service task, ...)."""
    EXECUTION_LISTENER = "EXECUTION_LISTENER"
    """An execution listener of the element (`zeebe:executionListener`)."""
    TASK_LISTENER = "TASK_LISTENER"
    AD_HOC_SUB_PROCESS = "AD_HOC_SUB_PROCESS"


class JobListenerEventType(StrEnum):
    """For a listener job: the event it listens to (Zeebe's `JobListenerEventType`)."""

    UNSPECIFIED = "UNSPECIFIED"
    START = "START"
    END = "END"
    CREATING = "CREATING"
    ASSIGNING = "ASSIGNING"
    UPDATING = "UPDATING"
    COMPLETING = "COMPLETING"
    CANCELING = "CANCELING"


@fast_init
@dataclass(frozen=True, slots=True)
class JobRecordValue(RecordValue):
    """A unit of work for a worker of `type`. The record's `key` is the job key, which a
    worker puts in the `key` of its COMPLETE / FAIL / THROW_ERROR command."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.JOB
    SCHEMA_NAME: ClassVar[str] = "job"

    type: str = prop("The job type; workers subscribe to `honeyflow.jobs.<type>`.", default="")
    custom_headers: dict[str, str] = prop(
        "The task's static headers (`zeebe:taskHeaders`), string to string.", factory=dict
    )
    worker: str = prop("The name of the worker that activated the job.", default="")
    retries: int = prop(
        "Remaining retries. On FAIL/UPDATE_RETRIES the new value; at 0 an incident is raised.",
        default=-1,
    )
    retry_backoff: int = prop(
        "On FAIL: milliseconds to wait before the job can be activated again; 0 for none"
        " (a negative value is rejected).",
        default=0,
    )
    recurring_time: int = prop(
        "Epoch millis when a failed job with back-off becomes activatable again; `-1` if none.",
        default=-1,
    )
    deadline: int = prop(
        "Epoch millis until which the job belongs to its worker; after it the job times out."
        " `-1` if not activated.",
        default=-1,
    )
    timeout: int = prop(
        "Milliseconds a worker may hold the job (sets `deadline`); on UPDATE_TIMEOUT the new"
        " time from now until the deadline. `-1` if not set.",
        default=-1,
    )
    error_message: str = prop(
        "On FAIL/THROW_ERROR: what went wrong, shown in the incident.", default=""
    )
    error_code: str = prop("On THROW_ERROR: the BPMN error code to throw at the task.", default="")
    variables: dict[str, Any] = variables_prop(
        "On activation: the variables visible to the task. On COMPLETE/FAIL/THROW_ERROR: the"
        " variables the worker sets."
    )
    element_id: str = prop("The BPMN id of the task that created the job.", default="")
    element_instance_key: int = key_prop("The element instance of the task.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    process_definition_version: int = prop("The version of the process.", default=-1)
    process_definition_key: int = key_prop("The key of the deployed process.")
    process_instance_key: int = key_prop("The key of the process instance.")
    job_kind: JobKind = prop(
        "BPMN_ELEMENT for an element's own work, EXECUTION_LISTENER for an execution listener"
        " of the element.",
        default=JobKind.BPMN_ELEMENT,
    )
    job_listener_event_type: JobListenerEventType = prop(
        "For an execution listener: START (the element starts) or END (it ends); UNSPECIFIED"
        " otherwise.",
        default=JobListenerEventType.UNSPECIFIED,
    )
    tenant_id: str = tenant_prop()


@fast_init
@dataclass(frozen=True, slots=True)
class JobBatchRecordValue(RecordValue):
    """A request to activate jobs of a type, and the jobs it activated (Zeebe's long poll).
    Honeyflow workers usually consume `honeyflow.jobs.<type>` instead."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.JOB_BATCH
    SCHEMA_NAME: ClassVar[str] = "job-batch"

    type: str = prop("The job type to activate.", default="")
    worker: str = prop("The name of the requesting worker.", default="")
    timeout: int = prop("Milliseconds the worker may hold each job.", default=-1)
    max_jobs_to_activate: int = prop("The most jobs to activate.", default=-1)
    job_keys: tuple[int, ...] = prop("The keys of the activated jobs.", default=())
    jobs: tuple[JobRecordValue, ...] = prop(
        "The activated jobs, in the order of `jobKeys`.", default=()
    )
    truncated: bool = prop(
        "True if more jobs were activatable than fit into the batch.", default=False
    )
    tenant_ids: tuple[str, ...] = prop(
        "The tenants whose jobs may be activated; none means the default tenant.", default=()
    )
