"""Appliers of decision events: a deployed decision requirements graph and its decisions are
kept by key and version; a business rule task's EVALUATED decision hands its result variable
to the task's completion (so that resolving an output mapping incident still has it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import (
    DecisionEvaluationIntent,
    DecisionIntent,
    DecisionRequirementsIntent,
)
from broker.protocol.values import (
    DecisionEvaluationRecordValue,
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
)
from processors.engine.state import EngineState
from processors.engine.state.decision_state import DeployedDecision


def _drg_created(record: Record[DecisionRequirementsRecordValue], state: EngineState) -> None:
    v = record.value
    state.decisions.put_drg(
        v.decision_requirements_key,
        v.decision_requirements_id,
        v.decision_requirements_name,
        v.decision_requirements_version,
        v.namespace,
        v.resource_name,
        v.resource,
        v.checksum.hex(),
        v.tenant_id,
    )


def _decision_created(record: Record[DecisionRecordValue], state: EngineState) -> None:
    v = record.value
    state.decisions.put_decision(
        DeployedDecision(
            key=v.decision_key,
            decision_id=v.decision_id,
            decision_name=v.decision_name,
            version=v.version,
            decision_requirements_id=v.decision_requirements_id,
            decision_requirements_key=v.decision_requirements_key,
            deployment_key=v.deployment_key,
            version_tag=v.version_tag,
            tenant_id=v.tenant_id,
        )
    )


def _evaluated(record: Record[DecisionEvaluationRecordValue], state: EngineState) -> None:
    v = record.value
    if v.element_instance_key == -1:
        return
    instance = state.elements.get(v.element_instance_key)
    if instance is None:
        return
    node = state.processes.executable(v.process_definition_key).elements.get(v.element_id)
    called = None if node is None else node.called_decision
    if called is None:
        return
    output = json.loads(v.decision_output)
    state.elements.put(instance.with_job(instance.job_key, {called.result_variable: output}))


DECISION_APPLIERS: dict[tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]] = {
    (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.CREATED): _drg_created,
    (ValueType.DECISION, DecisionIntent.CREATED): _decision_created,
    (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATED): _evaluated,
}
