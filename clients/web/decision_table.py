"""The instance page's decisions: per business rule task evaluation, each decision evaluated
(required ones first), its output and the rules that matched with their outputs; a failed
evaluation shows why."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from clients.web.html import Markup, html, join
from clients.web.page_frame import table
from processors.exporter.decision_queries import EvaluatedDecisionRow


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _rules(row: EvaluatedDecisionRow) -> Markup:
    if row.failure_message:
        return html('<span class="failure">{m}</span>', m=row.failure_message)
    return join(
        html(
            "<div>#{index} <code>{id}</code> → {outputs}</div>",
            index=rule.get("ruleIndex", ""),
            id=rule.get("ruleId", ""),
            outputs=", ".join(
                f"{name} = {_value(value)}" for name, value in rule.get("outputs", {}).items()
            ),
        )
        for rule in row.matched_rules
    )


def decision_table(rows: Sequence[EvaluatedDecisionRow]) -> Markup:
    return table(
        ("Element", "Decision", "Version", "Type", "Result", "Output", "Matched rules"),
        [
            (
                row.element_id,
                html("<code>{id}</code> {name}", id=row.decision_id, name=row.decision_name),
                row.decision_version,
                row.decision_type,
                row.state,
                html("<code>{v}</code>", v=_value(row.output)),
                _rules(row),
            )
            for row in rows
        ],
        css="decisions",
        empty="No decisions evaluated.",
    )
