"""Evaluating the model's expressions for an element: FEEL with the command's time as now(),
results as JSON values, and failures as `ExpressionFailure` with Zeebe's messages (a missing
variable is a failure here, as it is for Zeebe's mappings; a condition must be a boolean, and
one that is null because a variable is missing is reported as a 'NULL' result, as Zeebe does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bpmn import Expression
from bpmn.feel import FeelError, to_json_value
from bpmn.feel.builtins.clock import use_clock
from bpmn.feel.values import feel_type_name
from processors.engine.variable_values import json_value_problem


class ExpressionFailure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def evaluate(expression: Expression, variables: Mapping[str, Any], now_ms: int) -> Any:
    """The JSON value of `expression`; raises ExpressionFailure."""
    if expression.compiled is None:
        return expression.source
    text = expression.feel_text
    compiled = expression.compiled
    now = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)
    try:
        with use_clock(now):
            evaluate_with_warnings = getattr(compiled, "evaluate_with_warnings", None)
            if evaluate_with_warnings is None:
                return _storable(to_json_value(compiled.evaluate(variables)), text)
            result = evaluate_with_warnings(variables)
            if result.value is None:
                for warning in result.warnings:
                    if warning.kind == "NO_VARIABLE_FOUND":
                        raise ExpressionFailure(
                            f"Failed to evaluate expression '{text}': {warning.message}"
                        )
            # to_json_value fails for a number with no JSON form
            return _storable(to_json_value(result.value), text)
    except FeelError as error:
        raise ExpressionFailure(f"Failed to evaluate expression '{text}': {error}") from None


def _storable(value: Any, text: str) -> Any:
    """`value` if a variable can hold it, else ExpressionFailure naming the expression (a
    number beyond a double, or a float that is not finite)."""
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    problem = json_value_problem(value, f"the result of the expression '{text}'")
    if problem is not None:
        raise ExpressionFailure(problem)
    return value


def evaluate_condition(expression: Expression, variables: Mapping[str, Any], now_ms: int) -> bool:
    """A condition's result, which must be a boolean: anything else, null included (a missing
    variable), fails with Zeebe's message naming the result's type (an EXTRACT_VALUE_ERROR)."""
    compiled = expression.compiled
    if compiled is None:
        value: Any = expression.source
    else:
        try:
            with use_clock(dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)):
                value = compiled.evaluate(variables)
        except FeelError as error:
            raise ExpressionFailure(
                f"Failed to evaluate expression '{expression.feel_text}': {error}"
            ) from None
    if isinstance(value, bool):
        return value
    raise ExpressionFailure(
        f"Expected result of the expression '{expression.feel_text}' to be 'BOOLEAN', but was"
        f" '{result_type_name(value)}'."
    )


def result_type_name(value: Any) -> str:
    """Zeebe's name of the type of a FEEL result (its ResultType)."""
    return _RESULT_TYPES.get(feel_type_name(value), "UNKNOWN")


_RESULT_TYPES = {
    "null": "NULL",
    "boolean": "BOOLEAN",
    "number": "NUMBER",
    "string": "STRING",
    "list": "ARRAY",
    "context": "OBJECT",
    "date": "DATE",
    "date and time": "DATE_TIME",
    "days and time duration": "DURATION",
    "years and months duration": "PERIOD",
}


def evaluate_typed(
    expression: Expression, variables: Mapping[str, Any], now_ms: int, expected: type
) -> Any:
    """Like `evaluate`, failing unless the result has the expected JSON type."""
    if expected is bool:
        return evaluate_condition(expression, variables, now_ms)
    value = evaluate(expression, variables, now_ms)
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if expected is int and isinstance(value, str):
        digits = value.strip().lstrip("-")
        if digits.isascii() and digits.isdigit():  # isdigit() alone takes '²', int() not
            return int(value)  # static retries="3"
    if expected is int and isinstance(value, float):  # a number, but not a whole one
        raise ExpressionFailure(
            f"Expected result of the expression '{expression.feel_text}' to be a whole"
            f" 'NUMBER', but was {value}."
        )
    if not ok:
        raise ExpressionFailure(
            f"Expected result of the expression '{expression.feel_text}' to be"
            f" '{_type_name(expected)}', but was '{_type_name(type(value))}'."
        )
    return value


def _type_name(kind: type) -> str:
    return {
        bool: "BOOLEAN",
        int: "NUMBER",
        float: "NUMBER",
        str: "STRING",
        list: "ARRAY",
        dict: "OBJECT",
        type(None): "NULL",
    }.get(kind, kind.__name__.upper())
