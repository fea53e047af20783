"""Evaluating a deployed decision (Zeebe's DecisionBehavior): find the decision version asked
for, evaluate it in its parsed decision requirements graph with the command's time as now(),
and shape the DECISION_EVALUATION record (EVALUATED with the output, or FAILED with the
failure), each evaluated decision keyed `<evaluation key>-<position>` and named with its
deployed key and version. Shared by business rule tasks and the EVALUATE command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from bpmn.dmn import DecisionEvaluation, evaluate_decision
from broker.protocol.intents import DecisionEvaluationIntent
from broker.protocol.values import (
    DecisionEvaluationRecordValue,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
)
from processors.engine.state import StateReaders
from processors.engine.state.decision_state import DeployedDecision

# allow_nan=False: a value JSON cannot carry is an error, never `Infinity` in a record.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def json_text(value: Any) -> str:
    """A JSON value as the JSON text Zeebe's records carry for decision outputs and inputs."""
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError):
        return "null"


def lookup_failure(decision_id: str, reason: str) -> str:
    """Zeebe's message for a decision that cannot be found."""
    return f"Expected to evaluate decision '{decision_id}', but {reason}"


def latest_decision(
    state: StateReaders, decision_id: str, tenant_id: str
) -> tuple[DeployedDecision | None, str]:
    """The latest version of `decision_id` in the tenant, or None and Zeebe's message."""
    found = state.decisions.latest(decision_id, tenant_id)
    return found, lookup_failure(decision_id, f"no decision found for id '{decision_id}'")


def evaluate(
    state: StateReaders, decision: DeployedDecision, variables: Mapping[str, Any], now_ms: int
) -> DecisionEvaluation:
    graph = state.decisions.parsed(decision.decision_requirements_key)
    now = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)
    return evaluate_decision(graph, decision.decision_id, variables, now=now)


def evaluation_record(
    state: StateReaders,
    decision: DeployedDecision,
    result: DecisionEvaluation,
    evaluation_key: int,
    **context: Any,
) -> tuple[DecisionEvaluationIntent, DecisionEvaluationRecordValue]:
    """The DECISION_EVALUATION event of `result`; `context` names the business rule task
    (bpmn_process_id, process_definition_key, ...) when there is one."""
    drg = state.decisions.drg(decision.decision_requirements_key)
    deployed = {} if drg is None else drg.decisions
    evaluated = tuple(
        EvaluatedDecision(
            decision_id=d.decision_id,
            decision_name=d.decision_name,
            decision_key=deployed.get(d.decision_id, (-1, -1))[0],
            decision_version=deployed.get(d.decision_id, (-1, -1))[1],
            decision_type=d.decision_type,
            decision_output=json_text(d.output),
            evaluated_inputs=tuple(
                EvaluatedInput(i.input_id, i.input_name or "", json_text(i.value)) for i in d.inputs
            ),
            matched_rules=tuple(
                MatchedRule(
                    r.rule_id,
                    r.rule_index,
                    tuple(
                        EvaluatedOutput(o.output_id, o.output_name or "", json_text(o.value))
                        for o in r.outputs
                    ),
                )
                for r in d.matched_rules
            ),
            decision_evaluation_instance_key=f"{evaluation_key}-{index}",
            tenant_id=decision.tenant_id,
        )
        for index, d in enumerate(result.evaluated, start=1)
    )
    failure = result.failure
    value = DecisionEvaluationRecordValue(
        decision_key=decision.key,
        decision_id=decision.decision_id,
        decision_name=decision.decision_name,
        decision_version=decision.version,
        decision_requirements_id=decision.decision_requirements_id,
        decision_requirements_key=decision.decision_requirements_key,
        decision_output="null" if failure is not None else json_text(result.output),
        evaluated_decisions=evaluated,
        evaluation_failure_message="" if failure is None else failure.message,
        failed_decision_id="" if failure is None else failure.decision_id,
        **context,
    )
    intent = (
        DecisionEvaluationIntent.EVALUATED if failure is None else DecisionEvaluationIntent.FAILED
    )
    return intent, value
