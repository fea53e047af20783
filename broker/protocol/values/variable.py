"""Values of variables and of variable documents (bulk updates of a scope's variables)."""

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


@fast_init
@dataclass(frozen=True, slots=True)
class VariableRecordValue(RecordValue):
    """One variable of one scope. The record's `key` is the variable key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.VARIABLE
    SCHEMA_NAME: ClassVar[str] = "variable"

    name: str = prop("The variable name.", default="")
    value: str = prop(
        'The value as a JSON document in a string (e.g. `"42"`, `"{\\"a\\":1}"`),'
        " exactly as Zeebe writes it.",
        default="null",
    )
    scope_key: int = key_prop("The element instance (or process instance) that holds it.")
    process_instance_key: int = key_prop("The key of the process instance.")
    process_definition_key: int = key_prop("The key of the deployed process.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    tenant_id: str = tenant_prop()


class VariableDocumentUpdateSemantic(StrEnum):
    """Where the variables of a VARIABLE_DOCUMENT UPDATE go (Zeebe's names)."""

    LOCAL = "LOCAL"
    """Set every variable in the given scope itself."""
    PROPAGATE = "PROPAGATE"
    """Update a variable in the nearest scope that has it, else create it in the root scope."""


@dataclass(frozen=True, slots=True)
class VariableDocumentRecordValue(RecordValue):
    """A request to set several variables of a scope at once."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.VARIABLE_DOCUMENT
    SCHEMA_NAME: ClassVar[str] = "variable-document"

    scope_key: int = key_prop("The element instance (or process instance) to update.")
    update_semantics: VariableDocumentUpdateSemantic = prop(
        "LOCAL or PROPAGATE.", default=VariableDocumentUpdateSemantic.PROPAGATE
    )
    variables: dict[str, Any] = variables_prop("The variables to set, as a JSON object.")
    tenant_id: str = tenant_prop()
