"""FEEL values that are not plain Python values, and the mapping from Python values to FEEL.

A FEEL value is one of: None (null), bool, Decimal (number), str, list, dict[str, Any]
(context), a temporal value of `bpmn.feel.temporal`, `Range`, or a function (`FeelFunction`
for user-defined functions; built-ins are called by name). Numbers are Decimals computed in
`FEEL_DECIMAL_CONTEXT` (DECIMAL128: 34 significant digits, half-even), like feel-scala's
BigDecimal arithmetic.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FEEL_DECIMAL_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-6143,
    Emax=6144,
    capitals=1,
    clamp=1,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range (`[1..10]`, `(a..b]`, `> 5`); an absent bound is None (unbounded)."""

    start: Any
    end: Any
    start_included: bool
    end_included: bool


@dataclass(frozen=True, slots=True, eq=False)
class FeelFunction:
    """A user-defined function value (`function(a, b) a + b`).

    `invoke` takes the argument values in parameter order; the evaluator builds it as a
    closure over the scope the function was defined in. Calling the object directly is how
    built-ins such as `sort(list, precedes)` use a function argument.
    """

    params: tuple[str, ...]
    invoke: Callable[[Sequence[Any]], Any] = field(repr=False)

    def __call__(self, *args: Any) -> Any:
        return self.invoke(args)


def to_feel_value(value: Any) -> Any:
    """Map a JSON-ish Python value to a FEEL value: int/float become Decimal (a float via its
    shortest repr, so 0.1 stays 0.1), tuples become lists, mappings become dicts; NaN,
    infinities and numbers beyond decimal128 become null, longer numbers round to its 34
    digits. Other FEEL values pass through unchanged."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is Decimal:
        return _bounded(value)
    if kind is int:
        return Decimal(value) if -_EXACT < value < _EXACT else _bounded(Decimal(value))
    if kind is float:
        return Decimal(repr(value)) if math.isfinite(value) else None
    if kind is dict:
        return {str(key): to_feel_value(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [to_feel_value(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return to_feel_value(int(value))
    if isinstance(value, float):
        return to_feel_value(float(value))
    if isinstance(value, Decimal):
        return _bounded(Decimal(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): to_feel_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_feel_value(item) for item in value]
    return value


def decimal128(text: str) -> Decimal | None:
    """A number's text (ASCII, checked by the caller) as decimal128: rounded to 34 digits, zero
    below its range, None above it. libmpdec reads the exponent as an integer and never expands
    it, so this costs the length of the text whatever the exponent (`1e999999999`)."""
    try:
        value = FEEL_DECIMAL_CONTEXT.create_decimal(text)
    except decimal.Overflow:
        return None
    if value.is_zero() and value.as_tuple().exponent == _ETINY:
        return Decimal(0)  # underflow: plain zero, not 0E-6176
    return value


_ETINY = FEEL_DECIMAL_CONTEXT.Etiny()
_EXACT = 10**34  # integers below it in magnitude are decimal128 numbers as they are


def _bounded(value: Decimal) -> Decimal | None:
    """`value` as a decimal128 number: rounded to 34 digits, null beyond the exponent range
    (as NaN and the infinities)."""
    if not value.is_finite() or value.adjusted() > FEEL_DECIMAL_CONTEXT.Emax:
        return None
    if len(value.as_tuple().digits) <= FEEL_DECIMAL_CONTEXT.prec:
        return value
    try:
        return FEEL_DECIMAL_CONTEXT.plus(value)
    except decimal.Overflow:  # 9.99...e6144 rounds up past the range
        return None


def feel_type_name(value: Any) -> str:
    """The FEEL type name of a value, as `instance of` and error messages use it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, FeelFunction) or callable(value):
        return "function"
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)) or _is_temporal(value):
        from bpmn.feel import temporal

        return temporal.temporal_type_name(value)
    return type(value).__name__


def _is_temporal(value: Any) -> bool:
    try:
        from bpmn.feel import temporal
    except ImportError:  # the temporal module is written in parallel
        return False
    return bool(temporal.is_temporal(value))
