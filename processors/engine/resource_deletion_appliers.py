"""Appliers of the events of a resource deletion: a process definition leaves the versions
new instances are created from (PROCESS DELETING) and then the state (PROCESS DELETED); a
decision, a decision requirements graph and a form go at once (DELETED). The previous
version left becomes the latest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    ProcessIntent,
)
from broker.protocol.values import (
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    FormRecordValue,
    ProcessRecordValue,
)
from processors.engine.state import EngineState


def _process_deleting(record: Record[ProcessRecordValue], state: EngineState) -> None:
    state.processes.delete_version(record.value.process_definition_key)


def _process_deleted(record: Record[ProcessRecordValue], state: EngineState) -> None:
    state.processes.delete_process(record.value.process_definition_key)


def _decision_deleted(record: Record[DecisionRecordValue], state: EngineState) -> None:
    state.decisions.delete_decision(record.value.decision_key)


def _drg_deleted(record: Record[DecisionRequirementsRecordValue], state: EngineState) -> None:
    state.decisions.delete_drg(record.value.decision_requirements_key)


def _form_deleted(record: Record[FormRecordValue], state: EngineState) -> None:
    state.forms.delete_form(record.value.form_key)


RESOURCE_DELETION_APPLIERS: dict[
    tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]
] = {
    (ValueType.PROCESS, ProcessIntent.DELETING): _process_deleting,
    (ValueType.PROCESS, ProcessIntent.DELETED): _process_deleted,
    (ValueType.DECISION, DecisionIntent.DELETED): _decision_deleted,
    (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.DELETED): _drg_deleted,
    (ValueType.FORM, FormIntent.DELETED): _form_deleted,
}
