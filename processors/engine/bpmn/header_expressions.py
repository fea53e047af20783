"""Headers a job gets from expressions when it is created: a job-based user task's assignee
(a string), candidate groups and users (a list of strings, sent as a JSON array, as Zeebe
does) and due and follow-up dates (an ISO 8601 date and time, or null for none). A value of
another type raises ExpressionFailure: an EXTRACT_VALUE_ERROR incident on the task."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bpmn.model_parts import HeaderExpression
from bpmn.timers import TimerValueError, parse_date_time
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate, evaluate_typed


def header_value(header: HeaderExpression, variables: Mapping[str, Any], now_ms: int) -> str | None:
    """The header's value as the job carries it; None leaves the header out."""
    expression = header.expression
    if header.kind == "text":
        return str(evaluate_typed(expression, variables, now_ms, str))
    value = evaluate(expression, variables, now_ms)
    feel = expression.feel_text
    if header.kind == "list":
        if not isinstance(value, list):
            raise ExpressionFailure(
                f"Expected result of the expression '{feel}' to be 'ARRAY', but was"
                f" '{_json_type(value)}'."
            )
        if not all(isinstance(item, str) for item in value):
            raise ExpressionFailure(
                f"Expected result of the expression '{feel}' to be 'ARRAY' containing 'STRING'"
                " items, but was 'ARRAY' containing at least one non-'STRING' item."
            )
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parse_date_time(value)
        except TimerValueError:
            pass
        else:
            return value
    raise ExpressionFailure(
        f"Expected result of the expression '{feel}' to be a date and time with an offset or"
        f" zone (ISO 8601), but was '{value}'."
    )


def _json_type(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, (int, float)):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, dict):
        return "OBJECT"
    return type(value).__name__.upper()
