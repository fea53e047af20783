"""The decision queries (mixed into `Queries`): the decisions a process instance's business
rule tasks evaluated, with the rules that matched, and the deployed decisions. SQL is joined
only from constant fragments of this module; every value is a parameter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from processors.exporter.store import Store
from processors.exporter.views import _View


@dataclass(frozen=True, slots=True)
class EvaluatedDecisionRow(_View):
    """One decision of one evaluation (required decisions come before the one called)."""

    evaluation_key: int
    position: int
    state: str
    """EVALUATED or FAILED: the evaluation's outcome."""
    element_id: str
    element_instance_key: int
    decision_key: int
    decision_id: str
    decision_name: str
    decision_version: int
    decision_type: str
    output: Any
    matched_rules: tuple[dict[str, Any], ...]
    """Each `{"ruleId", "ruleIndex", "outputs": {name: value}}`."""
    failure_message: str
    """Set on the decision that failed."""
    evaluated_at: int


@dataclass(frozen=True, slots=True)
class DeployedDecision(_View):
    decision_key: int
    decision_id: str
    decision_name: str
    version: int
    decision_requirements_id: str
    decision_requirements_key: int
    deployed_at: int


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


class DecisionQueries:
    store: Store

    def decision_evaluations(self, process_instance_key: int) -> list[EvaluatedDecisionRow]:
        """The instance's evaluations, oldest first, each decision in evaluation order."""
        rows = self.store.query(
            "SELECT evaluation_key, position, state, element_id, element_instance_key,"
            " decision_key, decision_id, decision_name, decision_version, decision_type,"
            " output, matched_rules, failure_message, evaluated_at FROM decision_evaluations"
            " WHERE process_instance_key = ? ORDER BY evaluation_key, position",
            (process_instance_key,),
        )
        return [
            EvaluatedDecisionRow(
                evaluation_key=row[0],
                position=row[1],
                state=row[2],
                element_id=row[3],
                element_instance_key=row[4],
                decision_key=row[5],
                decision_id=row[6],
                decision_name=row[7],
                decision_version=row[8],
                decision_type=row[9],
                output=_json(row[10]),
                matched_rules=tuple(_json(row[11]) or ()),
                failure_message=row[12],
                evaluated_at=row[13],
            )
            for row in rows
        ]

    def decisions(self) -> list[DeployedDecision]:
        """Every deployed decision version, by id then version."""
        return [
            DeployedDecision(*row)
            for row in self.store.query(
                "SELECT decision_key, decision_id, decision_name, version,"
                " decision_requirements_id, decision_requirements_key, deployed_at"
                " FROM decisions ORDER BY decision_id, version"
            )
        ]
