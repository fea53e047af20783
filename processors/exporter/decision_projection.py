"""DECISION, DECISION_REQUIREMENTS and DECISION_EVALUATION records → the `decisions`,
`decision_requirements` and `decision_evaluations` tables.

A deployed decision (and its DMN file) is written on every partition with the same key:
kept once. An evaluation becomes one row per evaluated decision, in evaluation order
(required decisions first), with its matched rules as JSON, so that the instance page reads
which decisions a business rule task evaluated and which rules matched in one indexed query.
"""

from __future__ import annotations

import json
from typing import Any

from broker.protocol import Record
from broker.protocol.intents import (
    DecisionEvaluationIntent,
    DecisionIntent,
    DecisionRequirementsIntent,
)
from broker.protocol.values import (
    DecisionEvaluationRecordValue,
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    EvaluatedDecision,
)
from processors.exporter.store import Transaction

TABLES = (
    """CREATE TABLE IF NOT EXISTS decisions (
        decision_key BIGINT PRIMARY KEY,
        decision_id TEXT NOT NULL,
        decision_name TEXT NOT NULL,
        version INTEGER NOT NULL,
        version_tag TEXT NOT NULL,
        decision_requirements_id TEXT NOT NULL,
        decision_requirements_key BIGINT NOT NULL,
        deployment_key BIGINT NOT NULL,
        deployed_at BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS decision_requirements (
        decision_requirements_key BIGINT PRIMARY KEY,
        decision_requirements_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        resource_name TEXT NOT NULL,
        dmn_xml TEXT NOT NULL,
        deployed_at BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS decision_evaluations (
        evaluation_key BIGINT NOT NULL,
        position INTEGER NOT NULL,
        state TEXT NOT NULL,
        process_instance_key BIGINT NOT NULL,
        element_instance_key BIGINT NOT NULL,
        element_id TEXT NOT NULL,
        decision_key BIGINT NOT NULL,
        decision_id TEXT NOT NULL,
        decision_name TEXT NOT NULL,
        decision_version INTEGER NOT NULL,
        decision_type TEXT NOT NULL,
        output TEXT NOT NULL,
        matched_rules TEXT NOT NULL,
        failure_message TEXT NOT NULL,
        evaluated_at BIGINT NOT NULL,
        PRIMARY KEY (evaluation_key, position))""",
)

INDEXES = (
    # decisions by id and version
    "CREATE INDEX IF NOT EXISTS dec_id_version ON decisions (decision_id, version)",
    # an instance's evaluations (the instance page)
    "CREATE INDEX IF NOT EXISTS deval_instance"
    " ON decision_evaluations (process_instance_key, evaluation_key, position)",
)

_INSERT_DECISION = (
    "INSERT INTO decisions (decision_key, decision_id, decision_name, version, version_tag,"
    " decision_requirements_id, decision_requirements_key, deployment_key, deployed_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (decision_key) DO NOTHING"
)
_INSERT_REQUIREMENTS = (
    "INSERT INTO decision_requirements (decision_requirements_key, decision_requirements_id,"
    " name, version, resource_name, dmn_xml, deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (decision_requirements_key) DO NOTHING"
)
_INSERT_EVALUATION = (
    "INSERT INTO decision_evaluations (evaluation_key, position, state, process_instance_key,"
    " element_instance_key, element_id, decision_key, decision_id, decision_name,"
    " decision_version, decision_type, output, matched_rules, failure_message, evaluated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (evaluation_key, position) DO NOTHING"
)


def _rules(decision: EvaluatedDecision) -> str:
    return json.dumps(
        [
            {
                "ruleId": rule.rule_id,
                "ruleIndex": rule.rule_index,
                "outputs": {
                    o.output_name or o.output_id: json.loads(o.output_value)
                    for o in rule.evaluated_outputs
                },
            }
            for rule in decision.matched_rules
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


class DecisionProjection:
    """The decision part of one `ProjectionBatch`."""

    def __init__(self) -> None:
        self._decisions: dict[int, tuple[Any, ...]] = {}
        self._requirements: dict[int, tuple[Any, ...]] = {}
        self._evaluations: list[tuple[Any, ...]] = []

    def decision(self, record: Record[Any]) -> None:
        if record.intent is not DecisionIntent.CREATED:
            return
        v: DecisionRecordValue = record.value
        self._decisions[record.key] = (
            record.key,
            v.decision_id,
            v.decision_name,
            v.version,
            v.version_tag,
            v.decision_requirements_id,
            v.decision_requirements_key,
            v.deployment_key,
            record.timestamp,
        )

    def requirements(self, record: Record[Any]) -> None:
        if record.intent is not DecisionRequirementsIntent.CREATED:
            return
        v: DecisionRequirementsRecordValue = record.value
        self._requirements[record.key] = (
            record.key,
            v.decision_requirements_id,
            v.decision_requirements_name,
            v.decision_requirements_version,
            v.resource_name,
            v.resource.decode("utf-8", errors="replace"),
            record.timestamp,
        )

    def evaluation(self, record: Record[Any]) -> None:
        v: DecisionEvaluationRecordValue = record.value
        failed = record.intent is DecisionEvaluationIntent.FAILED
        state = "FAILED" if failed else "EVALUATED"
        common = (v.process_instance_key, v.element_instance_key, v.element_id)
        evaluated = v.evaluated_decisions or (
            EvaluatedDecision(
                decision_id=v.decision_id,
                decision_name=v.decision_name,
                decision_key=v.decision_key,
                decision_version=v.decision_version,
                decision_output=v.decision_output,
            ),
        )
        for position, decision in enumerate(evaluated, start=1):
            failure = (
                v.evaluation_failure_message
                if decision.decision_id == (v.failed_decision_id or v.decision_id)
                else ""
            )
            self._evaluations.append(
                (
                    record.key,
                    position,
                    state,
                    *common,
                    decision.decision_key,
                    decision.decision_id,
                    decision.decision_name,
                    decision.decision_version,
                    decision.decision_type,
                    decision.decision_output,
                    _rules(decision),
                    failure,
                    record.timestamp,
                )
            )

    def write(self, tx: Transaction) -> None:
        tx.execute_many(_INSERT_REQUIREMENTS, list(self._requirements.values()))
        tx.execute_many(_INSERT_DECISION, list(self._decisions.values()))
        tx.execute_many(_INSERT_EVALUATION, self._evaluations)
