"""FEEL's string form of any value, as feel-scala's `string()` gives it: numbers in plain
notation, strings raw at the top level but quoted inside lists and contexts, `[1, 2]`,
`{a:1, b:"x"}`, `null`, temporal values in their FEEL forms, ranges as `[1..10)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bpmn.feel.temporal import feel_string, is_temporal


def format_number(number: Decimal) -> str:
    """Plain notation (no exponent) with the digits the number carries: 1.50 stays 1.50."""
    if number.is_zero():
        # 0E+3 or -0.00: java.math.BigDecimal prints the zero's scale only after the point
        exponent = number.as_tuple().exponent
        return "0" if not isinstance(exponent, int) or exponent >= 0 else "0." + "0" * -exponent
    return format(number, "f")


def format_value(value: Any) -> str:
    """The string `string(value)` returns."""
    if isinstance(value, str):
        return value
    return _nested(value)


def _nested(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, str):
        return f'"{value}"'
    if is_temporal(value):
        return feel_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_nested(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}:{_nested(item)}" for key, item in value.items()) + "}"
    if _is_range(value):
        return _format_range(value)
    if isinstance(value, int | float):
        return format_number(Decimal(repr(value)))
    if callable(value):
        return "function"
    return str(value)


def _is_range(value: Any) -> bool:
    return all(hasattr(value, name) for name in ("start", "end", "start_included", "end_included"))


def _format_range(value: Any) -> str:
    opening = "[" if value.start_included else "("
    closing = "]" if value.end_included else ")"
    start = "" if value.start is None else _nested(value.start)
    end = "" if value.end is None else _nested(value.end)
    return f"{opening}{start}..{end}{closing}"
