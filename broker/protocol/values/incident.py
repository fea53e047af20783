"""Values of incidents: problems in a process instance that a person must resolve."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, key_prop, prop, tenant_prop


class ErrorType(StrEnum):
    """Why an incident was raised (Zeebe's `ErrorType`)."""

    UNKNOWN = "UNKNOWN"
    IO_MAPPING_ERROR = "IO_MAPPING_ERROR"
    JOB_NO_RETRIES = "JOB_NO_RETRIES"
    EXECUTION_LISTENER_NO_RETRIES = "EXECUTION_LISTENER_NO_RETRIES"
    CONDITION_ERROR = "CONDITION_ERROR"
    EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"
    CALLED_ELEMENT_ERROR = "CALLED_ELEMENT_ERROR"
    UNHANDLED_ERROR_EVENT = "UNHANDLED_ERROR_EVENT"
    MESSAGE_SIZE_EXCEEDED = "MESSAGE_SIZE_EXCEEDED"
    CALLED_DECISION_ERROR = "CALLED_DECISION_ERROR"
    DECISION_EVALUATION_ERROR = "DECISION_EVALUATION_ERROR"
    FORM_NOT_FOUND = "FORM_NOT_FOUND"


JOB_RETRIES_ERRORS = frozenset({ErrorType.JOB_NO_RETRIES, ErrorType.EXECUTION_LISTENER_NO_RETRIES})
"""Incidents of a job out of retries (an element's or an execution listener's): the job needs
retries again (UPDATE_RETRIES) before the incident can be resolved."""


@dataclass(frozen=True, slots=True)
class IncidentRecordValue(RecordValue):
    """An incident. The record's `key` is the incident key, used to RESOLVE it."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.INCIDENT
    SCHEMA_NAME: ClassVar[str] = "incident"

    error_type: ErrorType = prop("The kind of problem.", default=ErrorType.UNKNOWN)
    error_message: str = prop("What went wrong, for the person resolving it.", default="")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    process_definition_key: int = key_prop("The key of the deployed process.")
    process_instance_key: int = key_prop("The key of the process instance.")
    element_id: str = prop("The BPMN id of the element where it happened.", default="")
    element_instance_key: int = key_prop("The element instance where it happened.")
    job_key: int = key_prop("The job whose retries ran out (JOB_NO_RETRIES).")
    variable_scope_key: int = key_prop(
        "The scope whose variables must be fixed before resolving (e.g. for CONDITION_ERROR)."
    )
    tenant_id: str = tenant_prop()
