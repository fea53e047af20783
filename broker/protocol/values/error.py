"""Values of ERROR records: the engine failed to process a record (a bug, not an incident)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, key_prop, prop


@dataclass(frozen=True, slots=True)
class ErrorRecordValue(RecordValue):
    """Processing a record raised an unexpected error; the process instance is banned."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.ERROR
    SCHEMA_NAME: ClassVar[str] = "error"

    exception_message: str = prop("The message of the exception.", default="")
    stacktrace: str = prop("The stack trace of the exception.", default="")
    error_event_position: int = prop(
        "The position of the record whose processing failed.", default=-1
    )
    process_instance_key: int = key_prop("The process instance that is banned.")
