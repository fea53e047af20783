"""DMN 1.4 functions outside the families: `is` (same type and equal, where `=` would let a
date meet a date-time) and `range` (a range from its string form, `"[18..21)"`).
"""

from __future__ import annotations

import re
from typing import Any

from bpmn.feel import temporal
from bpmn.feel.builtins.base import Builtin, FeelFunctionError, feel_equals, require
from bpmn.feel.builtins.conversion import parse_number
from bpmn.feel.operators import compare
from bpmn.feel.values import feel_type_name

_RANGE_RE = re.compile(r"\s*([\[\](])(.*?)\.\.(.*?)([\[\])])\s*", re.S)
_CONSTRUCTOR_RE = re.compile(r'(date and time|date|time|duration)\(\s*"([^"]*)"\s*\)')
_PARSERS = {
    "date": temporal.parse_date,
    "date and time": temporal.parse_date_time,
    "time": temporal.parse_time,
    "duration": temporal.parse_duration,
}


def _is(value1: Any, value2: Any) -> bool:
    from bpmn.feel.values import feel_type_name

    if feel_type_name(value1) != feel_type_name(value2):
        return False
    if temporal.is_temporal(value1):
        # `is` also needs the same offset or zone, not only the same instant
        return bool(
            feel_equals(value1, value2) is True
            and temporal.feel_string(value1) == temporal.feel_string(value2)
        )
    return feel_equals(value1, value2) is True


def _endpoint(text: str) -> Any:
    """A literal end point: number, "string", @"temporal" or date("...")-like; empty: none."""
    text = text.strip()
    if not text:
        return None
    try:
        if text.startswith('@"') and text.endswith('"'):
            literal = text[2:-1]
            for parse in (temporal.parse_date, temporal.parse_date_time, temporal.parse_time):
                try:
                    return parse(literal)
                except ValueError:
                    continue
            return temporal.parse_duration(literal)
        constructor = _CONSTRUCTOR_RE.fullmatch(text)
        if constructor is not None:
            return _PARSERS[constructor.group(1)](constructor.group(2))
    except ValueError as error:
        raise FeelFunctionError(str(error)) from None
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return parse_number(text)


def _range(text: Any) -> Any:
    from bpmn.feel.values import Range

    require(isinstance(text, str), "range() expects a string")
    match = _RANGE_RE.fullmatch(text)
    require(match is not None, f"'{text}' is not a range such as [1..10)")
    assert match is not None
    opening, start, end, closing = match.groups()
    low, high = _endpoint(start), _endpoint(end)
    # DMN 1.5 (10.3.4.8): both end points, of one type, in ascending order
    require(low is not None and high is not None, "a range from a string needs both end points")
    require(
        feel_type_name(low) == feel_type_name(high),
        f"the end points of '{text}' are not of one type",
    )
    order = compare(low, high)
    require(order is not None and order <= 0, f"the end points of '{text}' are not ascending")
    return Range(low, high, opening == "[", closing == "]")


FUNCTIONS = [
    Builtin("is", ("value1", "value2"), _is),
    Builtin("range", ("from",), _range),
]
