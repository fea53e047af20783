"""FEEL operator semantics on values: equality, ordering, arithmetic, ranges, types.

Follows feel-scala: operands of the wrong type give null with a warning (never an
exception); `=` is deep for lists and contexts; ordering needs two values of one comparable
type. Temporal values are delegated to `bpmn.feel.temporal` (imported lazily: it is a
separate module written in parallel).
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from types import ModuleType
from typing import Any

from bpmn.feel.errors import FeelEvaluationError
from bpmn.feel.limits import BUILT_CHARACTERS_PER_STEP, MAX_STRING_LENGTH
from bpmn.feel.scope import Env
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT, FeelFunction, Range, feel_type_name

_temporal_module: ModuleType | None = None


def temporal() -> ModuleType:
    global _temporal_module
    if _temporal_module is None:
        from bpmn.feel import temporal as module

        _temporal_module = module
    return _temporal_module


def is_temporal(value: Any) -> bool:
    try:
        return bool(temporal().is_temporal(value))
    except ImportError:
        return False


_SIMPLE = (bool, Decimal, str, list, dict, Range, FeelFunction, type(None))


def _maybe_temporal(value: Any) -> bool:
    return not isinstance(value, _SIMPLE) and is_temporal(value)


def describe(value: Any) -> str:
    """A short rendering of a value for warnings and error messages."""
    try:
        from bpmn.feel.formatting import format_value

        text = str(format_value(value))
    except Exception:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------- equality / ordering


def equals(left: Any, right: Any) -> bool | None:
    """FEEL `=`: null only when the two values have different (incomparable) types."""
    if left is None or right is None:
        return left is None and right is None
    left_type = type(left)
    if left_type is Decimal:
        return left == right if type(right) is Decimal else None
    if left_type is str:
        return left == right if type(right) is str else None
    if left_type is bool:
        return left == right if type(right) is bool else None
    if left_type is list:
        if type(right) is not list:
            return None
        return len(left) == len(right) and all(
            equals(x, y) is True for x, y in zip(left, right, strict=True)
        )
    if left_type is dict:
        if type(right) is not dict:
            return None
        return left.keys() == right.keys() and all(
            equals(value, right[key]) is True for key, value in left.items()
        )
    if left_type is Range:
        if type(right) is not Range:
            return None
        return (
            left.start_included == right.start_included
            and left.end_included == right.end_included
            and equals(left.start, right.start) is True
            and equals(left.end, right.end) is True
        )
    if _maybe_temporal(left) and _maybe_temporal(right):
        result = temporal().temporal_equals(left, right)
        return None if result is None else bool(result)
    return None


def compare(left: Any, right: Any) -> int | None:
    """-1, 0 or 1; None when the two values are not of one comparable type."""
    left_type = type(left)
    if left_type is Decimal:
        if type(right) is not Decimal:
            return None
        return -1 if left < right else (1 if left > right else 0)
    if left_type is str:
        if type(right) is not str:
            return None
        return -1 if left < right else (1 if left > right else 0)
    if left is None or right is None or left_type in _SIMPLE:
        return None
    if _maybe_temporal(left) and _maybe_temporal(right):
        result = temporal().temporal_compare(left, right)
        return None if result is None else int(result)
    return None


def ordering(op: str, left: Any, right: Any, env: Env) -> bool | None:
    result = compare(left, right)
    if result is None:
        env.root.warn("NOT_COMPARABLE", f"Can't compare {describe(left)} with {describe(right)}")
        return None
    if op == "<":
        return result < 0
    if op == "<=":
        return result <= 0
    if op == ">":
        return result > 0
    return result >= 0


def equality(left: Any, right: Any, env: Env) -> bool | None:
    if type(left) is list:
        env.root.count(len(left))
    result = equals(left, right)
    if result is None:
        env.root.warn("NOT_COMPARABLE", f"Can't compare {describe(left)} with {describe(right)}")
    return result


# ---------------------------------------------------------------------- arithmetic

_ARITHMETIC_VERBS = {
    "+": "add",
    "-": "subtract",
    "*": "multiply",
    "/": "divide",
    "**": "exponentiate",
}


def _invalid(op: str, left: Any, right: Any, env: Env) -> None:
    env.root.warn(
        "INVALID_TYPE",
        f"Can't {_ARITHMETIC_VERBS[op]} {describe(left)} and {describe(right)}",
    )


def _decimal_failure(op: str, left: Any, right: Any, env: Env, error: Exception) -> None:
    # a decimal signal says only its name (Overflow); a temporal value says what is wrong
    reason = str(error) if type(error) is ValueError and str(error) else type(error).__name__
    env.root.warn(
        "INVALID_OPERATION",
        f"Can't {_ARITHMETIC_VERBS[op]} {describe(left)} and {describe(right)}: {reason}",
    )


def add(left: Any, right: Any, env: Env) -> Any:
    if type(left) is Decimal and type(right) is Decimal:
        try:
            return FEEL_DECIMAL_CONTEXT.add(left, right)
        except decimal.DecimalException as error:
            _decimal_failure("+", left, right, env, error)
            return None
    if type(left) is str and type(right) is str:
        if len(left) + len(right) > MAX_STRING_LENGTH:
            raise FeelEvaluationError(
                f"string result exceeds the limit of {MAX_STRING_LENGTH} characters"
            )
        result = left + right
        if len(result) >= BUILT_CHARACTERS_PER_STEP:
            env.root.count(len(result) // BUILT_CHARACTERS_PER_STEP)
        return result
    return _temporal_op("+", "temporal_add", left, right, env)


def subtract(left: Any, right: Any, env: Env) -> Any:
    if type(left) is Decimal and type(right) is Decimal:
        try:
            return FEEL_DECIMAL_CONTEXT.subtract(left, right)
        except decimal.DecimalException as error:
            _decimal_failure("-", left, right, env, error)
            return None
    return _temporal_op("-", "temporal_subtract", left, right, env)


def multiply(left: Any, right: Any, env: Env) -> Any:
    if type(left) is Decimal and type(right) is Decimal:
        try:
            return FEEL_DECIMAL_CONTEXT.multiply(left, right)
        except decimal.DecimalException as error:
            _decimal_failure("*", left, right, env, error)
            return None
    return _temporal_op("*", "temporal_multiply", left, right, env)


def divide(left: Any, right: Any, env: Env) -> Any:
    if type(left) is Decimal and type(right) is Decimal:
        if not right:
            env.root.warn("INVALID_OPERATION", f"Can't divide {describe(left)} by zero")
            return None
        try:
            return FEEL_DECIMAL_CONTEXT.divide(left, right)
        except decimal.DecimalException as error:
            _decimal_failure("/", left, right, env, error)
            return None
    return _temporal_op("/", "temporal_divide", left, right, env)


def power(left: Any, right: Any, env: Env) -> Any:
    if type(left) is not Decimal or type(right) is not Decimal:
        _invalid("**", left, right, env)
        return None
    try:
        if right == right.to_integral_value():
            exponent = int(right)
            if abs(exponent) > 999_999_999:
                raise decimal.Overflow("exponent too large")
            return FEEL_DECIMAL_CONTEXT.power(left, exponent)
        result = math.pow(float(left), float(right))
        if not math.isfinite(result):
            raise decimal.InvalidOperation("not a finite number")
        return FEEL_DECIMAL_CONTEXT.create_decimal(repr(result))
    except (decimal.DecimalException, ValueError, OverflowError, ZeroDivisionError) as error:
        _decimal_failure("**", left, right, env, error)
        return None


def negate(value: Any, env: Env) -> Any:
    if type(value) is Decimal:
        return FEEL_DECIMAL_CONTEXT.minus(value)
    if _maybe_temporal(value):
        result = temporal().temporal_multiply(value, Decimal(-1))
        if result is not None:
            return result
    env.root.warn("INVALID_TYPE", f"Can't negate {describe(value)}")
    return None


def _temporal_op(op: str, function: str, left: Any, right: Any, env: Env) -> Any:
    if (_maybe_temporal(left) or _maybe_temporal(right)) and left is not None and right is not None:
        try:
            result = getattr(temporal(), function)(left, right)
        except (ArithmeticError, ValueError, OverflowError) as error:
            _decimal_failure(op, left, right, env, error)
            return None
        if result is not None:
            return result
    _invalid(op, left, right, env)
    return None


ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide, "**": power}


# ---------------------------------------------------------------------- ranges and types


def make_range(start: Any, end: Any, start_included: bool, end_included: bool, env: Env) -> Any:
    """A range value; null (with a warning) when the bounds are not of one comparable type."""
    if start is None and end is None:
        env.root.warn("INVALID_TYPE", "Invalid range definition: both bounds are null")
        return None
    if start is not None and end is not None:
        if compare(start, end) is None:
            env.root.warn(
                "INVALID_TYPE",
                f"Invalid range definition from {describe(start)} to {describe(end)}",
            )
            return None
    else:
        bound = start if start is not None else end
        if compare(bound, bound) is None:
            env.root.warn("INVALID_TYPE", f"Invalid range bound {describe(bound)}")
            return None
    return Range(start, end, start_included, end_included)


def in_range(value: Any, range_: Range, env: Env) -> bool | None:
    """Whether `value` lies in `range_`; null when it cannot be compared to the bounds."""
    if range_.start is not None:
        result = compare(value, range_.start)
        if result is None:
            env.root.warn(
                "NOT_COMPARABLE", f"Can't compare {describe(value)} with {describe(range_.start)}"
            )
            return None
        if result < 0 or (result == 0 and not range_.start_included):
            if range_.end is not None and compare(value, range_.end) is None:
                return None
            return False
    if range_.end is not None:
        result = compare(value, range_.end)
        if result is None:
            env.root.warn(
                "NOT_COMPARABLE", f"Can't compare {describe(value)} with {describe(range_.end)}"
            )
            return None
        if result > 0 or (result == 0 and not range_.end_included):
            return False
    return True


_TYPE_ALIASES = {
    "date time": "date and time",
    "dateTime": "date and time",
    "year-month-duration": "years and months duration",
    "yearMonthDuration": "years and months duration",
    "day-time-duration": "days and time duration",
    "dayTimeDuration": "days and time duration",
}


def canonical_type_name(name: str) -> str:
    return _TYPE_ALIASES.get(name, name)


def type_name(value: Any) -> str:
    return feel_type_name(value)
