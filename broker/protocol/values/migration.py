"""The value of a process instance migration: move a running instance to another process
definition, element by element as the mapping instructions say (Zeebe's
ProcessInstanceMigrationRecord)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, ValueObject, key_prop, prop


@dataclass(frozen=True, slots=True)
class MappingInstruction(ValueObject):
    """Element instances of `sourceElementId` become instances of `targetElementId`."""

    source_element_id: str = prop("The BPMN id of an element of the source process.", default="")
    target_element_id: str = prop("The BPMN id of an element of the target process.", default="")


@dataclass(frozen=True, slots=True)
class ProcessInstanceMigrationRecordValue(RecordValue):
    """A request to migrate a process instance (MIGRATE), and the fact that it was (MIGRATED).
    The record's `key` is the process instance key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_INSTANCE_MIGRATION
    SCHEMA_NAME: ClassVar[str] = "process-instance-migration"

    process_instance_key: int = key_prop("The process instance to migrate.")
    target_process_definition_key: int = key_prop("The process definition to migrate it to.")
    mapping_instructions: tuple[MappingInstruction, ...] = prop(
        "Which element of the target each active element of the source becomes; the process"
        " itself is mapped without an instruction.",
        default=(),
    )
