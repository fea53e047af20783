"""Values of timers (timer catch events, boundary events and start events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, key_prop, prop, tenant_prop


@dataclass(frozen=True, slots=True)
class TimerRecordValue(RecordValue):
    """A timer. The record's `key` is the timer key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.TIMER
    SCHEMA_NAME: ClassVar[str] = "timer"

    element_instance_key: int = key_prop("The waiting element instance; `-1` for a start event.")
    process_instance_key: int = key_prop("The waiting process instance; `-1` for a start event.")
    process_definition_key: int = key_prop("The key of the deployed process.")
    due_date: int = prop("Epoch millis when the timer fires.", default=-1)
    target_element_id: str = prop("The BPMN id of the timer event.", default="")
    repetitions: int = prop(
        "Remaining repetitions of a cycle timer; `-1` for unbounded, 1 for a single shot.",
        default=-1,
    )
    tenant_id: str = tenant_prop()
