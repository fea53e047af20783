"""FEEL results as JSON-compatible Python values, the way Zeebe stores variables.

Zeebe writes a FEEL result into a variable as JSON (MessagePack): numbers become JSON
numbers — integral values as integers (exact at any size), others as floats (Zeebe converts
them to double) — and temporal values become their ISO-8601 strings (`2024-01-01`,
`2024-01-01T10:00:00+01:00`, `P1Y2M`, `PT1H`). Ranges become their FEEL text (`[1..10]`);
a function has no JSON form and becomes null. An integer of more than
`MAX_JSON_INTEGER_DIGITS` digits (`1e5000` is a FEEL number) cannot be written or read back
by JSON libraries (Python's among them), so it fails with a FeelEvaluationError.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bpmn.feel.errors import FeelEvaluationError
from bpmn.feel.values import FeelFunction, Range

MAX_JSON_INTEGER_DIGITS = 4300
"""Python's default `sys.get_int_max_str_digits()`: its json module neither writes nor reads
longer integers."""


def to_json_value(value: Any) -> Any:
    if value is None or value is True or value is False or type(value) is str:
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        if value == value.to_integral_value():
            if value.adjusted() >= MAX_JSON_INTEGER_DIGITS and not value.is_zero():
                raise FeelEvaluationError(
                    f"the number {value:.6E} has no JSON form: a JSON integer has at most"
                    f" {MAX_JSON_INTEGER_DIGITS} digits"
                )
            return int(value)
        # not integral, so below 10^34 (34 significant digits): a finite float
        return float(value)
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, FeelFunction) or callable(value):
        return None
    if isinstance(value, Range):
        return _text(value)
    if isinstance(value, (int, float, str)):
        return value
    return _text(value)


def _text(value: Any) -> str:
    try:
        from bpmn.feel.formatting import format_value
    except ImportError:
        return _fallback_text(value)
    return str(format_value(value))


def _fallback_text(value: Any) -> str:
    if isinstance(value, Range):
        start = "" if value.start is None else _fallback_text(value.start)
        end = "" if value.end is None else _fallback_text(value.end)
        opening = "[" if value.start_included else "("
        closing = "]" if value.end_included else ")"
        return f"{opening}{start}..{end}{closing}"
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return str(value)
