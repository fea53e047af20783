"""Values of process instance modification (Zeebe's PROCESS_INSTANCE_MODIFICATION): elements
to activate (each in a chosen ancestor scope, with variables per scope) and element instances
to terminate, applied to one running process instance at once."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    ValueObject,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)


@dataclass(frozen=True, slots=True)
class ModificationVariableInstruction(ValueObject):
    """Variables to set locally in one scope while an element is activated."""

    variables: dict[str, Any] = variables_prop("The variables, as a JSON object.")
    element_id: str = prop(
        "The BPMN id of the scope: the activated element or one of its flow scopes; empty for"
        " the process instance (global variables).",
        default="",
    )


@dataclass(frozen=True, slots=True)
class ModificationActivateInstruction(ValueObject):
    """Activate one element (its missing flow scopes are created first)."""

    element_id: str = prop("The BPMN id of the element to activate.", default="")
    ancestor_scope_key: int = key_prop(
        "The element instance to activate the element in (an instance of one of its flow"
        " scopes, or an ancestor of one); `-1` to let the engine pick the only active flow"
        " scope instance."
    )
    variable_instructions: tuple[ModificationVariableInstruction, ...] = prop(
        "Variables to set in the element or its flow scopes.", default=()
    )
    ancestor_scope_keys: tuple[int, ...] = prop(
        "In the MODIFIED event: the flow scope instances the element was activated in (used or"
        " created), outermost first.",
        default=(),
    )


@dataclass(frozen=True, slots=True)
class ModificationTerminateInstruction(ValueObject):
    """Terminate one element instance (with everything inside it)."""

    element_instance_key: int = key_prop("The element instance to terminate.")


@dataclass(frozen=True, slots=True)
class ProcessInstanceModificationRecordValue(RecordValue):
    """A request to modify a running process instance, and the fact that it was modified. The
    record's `key` is the process instance key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_INSTANCE_MODIFICATION
    SCHEMA_NAME: ClassVar[str] = "process-instance-modification"

    process_instance_key: int = key_prop("The process instance to modify.")
    terminate_instructions: tuple[ModificationTerminateInstruction, ...] = prop(
        "Element instances to terminate.", default=()
    )
    activate_instructions: tuple[ModificationActivateInstruction, ...] = prop(
        "Elements to activate.", default=()
    )
    tenant_id: str = tenant_prop()
