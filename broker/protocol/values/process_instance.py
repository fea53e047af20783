"""Values of process instances: element lifecycle, creation, result, and triggered events."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.fast_init import fast_init
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    ValueObject,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)
from broker.protocol.values.bpmn_kinds import BpmnElementType, BpmnEventType


@fast_init
@dataclass(frozen=True, slots=True)
class ProcessInstanceRecordValue(RecordValue):
    """One element instance of a process instance (the process itself, a task, a gateway, a
    sequence flow, ...). The record's `key` is the element instance key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_INSTANCE
    SCHEMA_NAME: ClassVar[str] = "process-instance"

    bpmn_process_id: str = prop("The BPMN id of the process (`<process id=...>`).", default="")
    version: int = prop("The version of the deployed process.", default=-1)
    process_definition_key: int = key_prop("The key of the deployed process.")
    process_instance_key: int = key_prop("The key of the process instance.")
    element_id: str = prop("The BPMN id of the element; empty if it has none.", default="")
    flow_scope_key: int = key_prop(
        "The element instance key of the enclosing scope (process or sub-process);"
        " `-1` for the process instance itself."
    )
    bpmn_element_type: BpmnElementType = prop(
        "The kind of BPMN element.", default=BpmnElementType.UNSPECIFIED
    )
    bpmn_event_type: BpmnEventType = prop(
        "The event definition of an event element; UNSPECIFIED for other elements.",
        default=BpmnEventType.UNSPECIFIED,
    )
    parent_process_instance_key: int = key_prop(
        "The process instance that called this one through a call activity."
    )
    parent_element_instance_key: int = key_prop(
        "The call activity instance that created this process instance."
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class StartInstruction(ValueObject):
    """Start the new instance at this element instead of the none start event."""

    element_id: str = prop("The BPMN id of the element to start at.", default="")


@fast_init
@dataclass(frozen=True, slots=True)
class ProcessInstanceCreationRecordValue(RecordValue):
    """A request to create a process instance, and the fact that it was created."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_INSTANCE_CREATION
    SCHEMA_NAME: ClassVar[str] = "process-instance-creation"

    bpmn_process_id: str = prop(
        "The BPMN id of the process to start (used when `processDefinitionKey` is -1).",
        default="",
    )
    version: int = prop("The process version to start; `-1` for the latest.", default=-1)
    process_definition_key: int = key_prop(
        "The deployed process to start; takes precedence over `bpmnProcessId`/`version`."
    )
    process_instance_key: int = key_prop("The key of the created process instance.")
    variables: dict[str, Any] = variables_prop(
        "The initial variables of the process instance, as a JSON object."
    )
    start_instructions: tuple[StartInstruction, ...] = prop(
        "Elements to start at instead of the none start event; empty for a normal start.",
        default=(),
    )
    fetch_variables: tuple[str, ...] = prop(
        "With CREATE_WITH_AWAITING_RESULT: the variables to return; empty for all.",
        default=(),
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class ProcessInstanceResultRecordValue(RecordValue):
    """The variables of a completed process instance, sent to a CREATE_WITH_AWAITING_RESULT
    requester."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_INSTANCE_RESULT
    SCHEMA_NAME: ClassVar[str] = "process-instance-result"

    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    process_definition_key: int = key_prop("The key of the deployed process.")
    version: int = prop("The version of the deployed process.", default=-1)
    process_instance_key: int = key_prop("The key of the completed process instance.")
    variables: dict[str, Any] = variables_prop(
        "The process instance's variables at completion (filtered by `fetchVariables`)."
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class ProcessEventRecordValue(RecordValue):
    """An event (timer, message, signal, ...) that triggers a catch element or a start event."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_EVENT
    SCHEMA_NAME: ClassVar[str] = "process-event"

    scope_key: int = key_prop(
        "The element instance (or process definition, for start events) the event triggers in."
    )
    target_element_id: str = prop("The BPMN id of the element the event triggers.", default="")
    variables: dict[str, Any] = variables_prop("Variables the event carries (e.g. a message's).")
    process_definition_key: int = key_prop("The key of the deployed process.")
    process_instance_key: int = key_prop("The key of the process instance.")
    tenant_id: str = tenant_prop()
