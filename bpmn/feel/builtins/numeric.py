"""Numeric functions on exact decimals: rounding to a scale (as BigDecimal.setScale), `abs`
(also of durations), `modulo` with the sign of the divisor, `sqrt`, `log`, `exp` computed in
the 34-digit context, `odd`, `even` and `random number`.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bpmn.feel.builtins.base import OMITTED, Builtin, FeelFunctionError, is_number, require
from bpmn.feel.builtins.clock import random_source
from bpmn.feel.builtins.numbers import (
    MAX_SCALE,
    MIN_SCALE,
    ROUNDING_MODES,
    exact_integer_result,
    int_value,
    set_scale,
)
from bpmn.feel.temporal import DaysTimeDuration, YearsMonthsDuration
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT


def _rounding(mode: str) -> Callable[..., Decimal]:
    def rounded(n: Any, scale: Any = OMITTED) -> Decimal:
        require(is_number(n), "expected a number")
        if scale is OMITTED:
            scale = Decimal(0)
        require(is_number(scale), "scale must be a number")
        digits = int_value(scale)
        require(MIN_SCALE <= digits <= MAX_SCALE, f"scale must be within {MIN_SCALE}..{MAX_SCALE}")
        try:
            return set_scale(n, digits, mode)
        except decimal.DecimalException as error:
            raise FeelFunctionError(f"can't round {n}: {error}") from None

    return rounded


def _decimal(n: Any, scale: Any, mode: Any = OMITTED) -> Decimal:
    if mode is OMITTED:
        return _rounding(decimal.ROUND_HALF_EVEN)(n, scale)
    require(isinstance(mode, str) and mode.upper() in ROUNDING_MODES, f"bad rounding '{mode}'")
    return _rounding(ROUNDING_MODES[mode.upper()])(n, scale)


def _with_scale(mode: str) -> Callable[..., Decimal]:
    round_with = _rounding(mode)

    def rounded(n: Any, scale: Any) -> Decimal:
        require(scale is not None, "scale must be a number")
        return round_with(n, scale)

    return rounded


def _abs(n: Any) -> Any:
    if is_number(n):
        return abs(n)
    if isinstance(n, DaysTimeDuration):
        return DaysTimeDuration.of_nanos(abs(n.total_nanos))
    if isinstance(n, YearsMonthsDuration):
        return YearsMonthsDuration(abs(n.months))
    raise FeelFunctionError("abs() expects a number or a duration")


def _modulo(dividend: Any, divisor: Any) -> Decimal:
    require(is_number(dividend) and is_number(divisor), "modulo() expects two numbers")
    require(divisor != 0, "division by zero")
    context = FEEL_DECIMAL_CONTEXT
    # the result takes the sign of the divisor: dividend - divisor * floor(dividend / divisor)
    remainder = context.remainder(dividend, divisor)
    return context.remainder(context.add(remainder, divisor), divisor)


def _sqrt(number: Any) -> Decimal:
    require(is_number(number), "sqrt() expects a number")
    require(number >= 0, "sqrt() of a negative number")
    return exact_integer_result(FEEL_DECIMAL_CONTEXT.sqrt(number))


def _log(number: Any) -> Decimal:
    require(is_number(number), "log() expects a number")
    require(number > 0, "log() of a number that is not positive")
    return FEEL_DECIMAL_CONTEXT.ln(number)


def _exp(number: Any) -> Decimal:
    require(is_number(number), "exp() expects a number")
    try:
        return FEEL_DECIMAL_CONTEXT.exp(number)
    except decimal.Overflow:
        raise FeelFunctionError("exp() overflows") from None


def _odd(number: Any) -> bool:
    require(is_number(number), "odd() expects a number")
    return bool(abs(number) % 2 == 1)


def _even(number: Any) -> bool:
    require(is_number(number), "even() expects a number")
    return bool(number % 2 == 0)


def _random_number() -> Decimal:
    return Decimal(repr(random_source().random()))


FUNCTIONS = [
    Builtin("decimal", ("n", "scale", "mode"), _decimal, optional=1),
    Builtin("floor", ("n", "scale"), _rounding(decimal.ROUND_FLOOR), optional=1),
    Builtin("ceiling", ("n", "scale"), _rounding(decimal.ROUND_CEILING), optional=1),
    Builtin("round up", ("n", "scale"), _with_scale(decimal.ROUND_UP)),
    Builtin("round down", ("n", "scale"), _with_scale(decimal.ROUND_DOWN)),
    Builtin("round half up", ("n", "scale"), _with_scale(decimal.ROUND_HALF_UP)),
    Builtin("round half down", ("n", "scale"), _with_scale(decimal.ROUND_HALF_DOWN)),
    Builtin("abs", ("n",), _abs),
    Builtin("modulo", ("dividend", "divisor"), _modulo),
    Builtin("sqrt", ("number",), _sqrt),
    Builtin("log", ("number",), _log),
    Builtin("exp", ("number",), _exp),
    Builtin("odd", ("number",), _odd),
    Builtin("even", ("number",), _even),
    Builtin("random number", (), _random_number),
]
