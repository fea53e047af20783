"""Decimal arithmetic shared by the numeric built-ins: FEEL numbers are `Decimal` in the
DECIMAL128 context (34 digits, half-even) as in feel-scala, and rounding to a scale follows
java.math.BigDecimal.setScale (unbounded digits, only the scale is fixed).
"""

from __future__ import annotations

import decimal
from decimal import Decimal

# Scales a DECIMAL128 number can carry; outside them the rounding functions give null.
MIN_SCALE = -6111
MAX_SCALE = 6176

ROUNDING_MODES: dict[str, str] = {
    "UP": decimal.ROUND_UP,
    "DOWN": decimal.ROUND_DOWN,
    "CEILING": decimal.ROUND_CEILING,
    "FLOOR": decimal.ROUND_FLOOR,
    "HALF_UP": decimal.ROUND_HALF_UP,
    "HALF_DOWN": decimal.ROUND_HALF_DOWN,
    "HALF_EVEN": decimal.ROUND_HALF_EVEN,
}


def int_value(number: Decimal) -> int:
    """The integer part, truncated toward zero (Java's BigDecimal.intValue for sane ranges)."""
    return int(number)


def is_integral(number: Decimal) -> bool:
    return number.is_finite() and number == number.to_integral_value()


def set_scale(number: Decimal, scale: int, rounding: str) -> Decimal:
    """Round `number` to `scale` digits after the point with the given decimal rounding."""
    exponent = Decimal(1).scaleb(-scale)
    # enough precision that quantize never runs out of digits, as BigDecimal has none to lose
    digits = max(number.adjusted(), 0) + abs(scale) + 2
    context = decimal.Context(prec=digits, rounding=rounding, Emin=-999999, Emax=999999)
    return number.quantize(exponent, rounding=rounding, context=context)


def exact_integer_result(number: Decimal) -> Decimal:
    """An integral value without a fraction part (sqrt(16) = 4 rather than 4.000...)."""
    if is_integral(number):
        return Decimal(int(number))
    return number
