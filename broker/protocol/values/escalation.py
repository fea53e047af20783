"""Values of escalations thrown inside a process instance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, key_prop, prop


@dataclass(frozen=True, slots=True)
class EscalationRecordValue(RecordValue):
    """An escalation, caught (ESCALATED) or not (NOT_ESCALATED)."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.ESCALATION
    SCHEMA_NAME: ClassVar[str] = "escalation"

    process_instance_key: int = key_prop("The key of the process instance.")
    escalation_code: str = prop("The escalation code that was thrown.", default="")
    throw_element_id: str = prop("The BPMN id of the throwing element.", default="")
    catch_element_id: str = prop(
        "The BPMN id of the catching element; empty if not caught.", default=""
    )
