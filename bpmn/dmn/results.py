"""What evaluating a decision gives: the output and an audit of every decision evaluated on the
way (its inputs and matched rules), as Zeebe's DECISION_EVALUATION record shows them. Every
value here is a JSON value (`bpmn.feel.to_json_value`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class EvaluatedInput:
    input_id: str
    input_name: str
    value: Any


@dataclass(frozen=True, slots=True)
class EvaluatedOutput:
    output_id: str
    output_name: str
    value: Any


@dataclass(frozen=True, slots=True)
class MatchedRule:
    rule_id: str
    rule_index: int  # 1-based
    outputs: tuple[EvaluatedOutput, ...]


@dataclass(frozen=True, slots=True)
class EvaluatedDecision:
    decision_id: str
    decision_name: str
    decision_type: str  # DECISION_TABLE, LITERAL_EXPRESSION, CONTEXT, RELATION, LIST, ...
    output: Any
    inputs: tuple[EvaluatedInput, ...] = ()
    matched_rules: tuple[MatchedRule, ...] = ()


@dataclass(frozen=True, slots=True)
class EvaluationFailure:
    decision_id: str
    message: str


@dataclass(frozen=True, slots=True)
class DecisionEvaluation:
    """The result of `evaluate_decision`: `output` is null and `failure` set when it failed."""

    decision_id: str
    output: Any
    evaluated: tuple[EvaluatedDecision, ...]
    failure: EvaluationFailure | None = None
