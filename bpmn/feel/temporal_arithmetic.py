"""FEEL arithmetic and comparison on temporal values, with java.time's rules as feel-scala
applies them: months are added on the local calendar with end-of-month clamping, exact
durations on the instant timeline; a local value never mixes with an offset one.
Every function returns None for a combination FEEL leaves undefined.
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from bpmn.feel import temporal_extended_arithmetic as extended
from bpmn.feel.temporal_extended import FeelDate, FeelDateTime
from bpmn.feel.temporal_parse import localize
from bpmn.feel.temporal_types import (
    NANOS_PER_DAY,
    DaysTimeDuration,
    FeelTime,
    YearsMonthsDuration,
    is_date,
    is_date_time,
)

# the fast paths below work on Python's date/datetime; anything else takes the general path
_EXTENDED = (FeelDate, FeelDateTime)


def add_months(value: dt.date, months: int) -> dt.date:
    """`value` plus `months` on the calendar; the day is clamped to the month's last day."""
    index = value.year * 12 + (value.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month0 + 1)[1])
    return value.replace(year=year, month=month0 + 1, day=day)


def _plus_months(value: dt.date | dt.datetime, months: int) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and isinstance(value.tzinfo, ZoneInfo):
        # the local date-time moves, then is resolved in its zone again (java.time's plus)
        local = add_months(value.replace(tzinfo=None), months)
        assert isinstance(local, dt.datetime)
        return localize(local, value.tzinfo.key)
    return add_months(value, months)


def _plus_exact(value: dt.datetime, duration: DaysTimeDuration) -> dt.datetime:
    delta = duration.to_timedelta()
    if isinstance(value.tzinfo, ZoneInfo):
        # exact durations follow the instant timeline across daylight saving changes
        return (value.astimezone(dt.UTC) + delta).astimezone(value.tzinfo)
    return value + delta


def _time_plus(value: FeelTime, nanos: int) -> FeelTime:
    return FeelTime.of_nanos_of_day(value.nanos_of_day + nanos, value.offset_seconds, value.zone)


def _date_plus_exact(value: dt.date, duration: DaysTimeDuration) -> dt.date:
    # feel-scala adds the duration to the date's midnight and keeps the date
    return value + dt.timedelta(days=duration.total_nanos // NANOS_PER_DAY)


def temporal_add(a: Any, b: Any) -> Any:
    try:
        if type(a) not in _EXTENDED and type(b) not in _EXTENDED:
            try:
                return _add(a, b)
            except (OverflowError, ValueError):
                pass  # the result leaves Python's years: the general path makes it
        return _add_extended(a, b)
    except (OverflowError, ValueError):
        return None  # beyond the years java.time holds


def _add_extended(a: Any, b: Any) -> Any:
    if isinstance(a, DaysTimeDuration | YearsMonthsDuration):
        a, b = b, a
    if isinstance(b, YearsMonthsDuration) and (is_date(a) or is_date_time(a)):
        return extended.plus_months(a, b.months)
    if isinstance(b, DaysTimeDuration):
        if is_date_time(a):
            return extended.plus_nanos(a, b.total_nanos)
        if is_date(a):
            return extended.date_plus_nanos(a, b.total_nanos)
    return None


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, DaysTimeDuration | YearsMonthsDuration) and not isinstance(
        b, DaysTimeDuration | YearsMonthsDuration
    ):
        a, b = b, a  # addition of a duration to a point is commutative
    if isinstance(b, YearsMonthsDuration):
        if isinstance(a, YearsMonthsDuration):
            return YearsMonthsDuration(a.months + b.months)
        if isinstance(a, dt.date):
            return _plus_months(a, b.months)
        return None
    if isinstance(b, DaysTimeDuration):
        if isinstance(a, DaysTimeDuration):
            return DaysTimeDuration.of_nanos(a.total_nanos + b.total_nanos)
        if isinstance(a, dt.datetime):
            return _plus_exact(a, b)
        if isinstance(a, dt.date):
            return _date_plus_exact(a, b)
        if isinstance(a, FeelTime):
            return _time_plus(a, b.total_nanos)
    return None


def temporal_subtract(a: Any, b: Any) -> Any:
    try:
        if type(a) not in _EXTENDED and type(b) not in _EXTENDED:
            try:
                return _subtract(a, b)
            except (OverflowError, ValueError):
                pass  # the result leaves Python's years: the general path makes it
        if isinstance(b, YearsMonthsDuration):
            return _add_extended(a, YearsMonthsDuration(-b.months))
        if isinstance(b, DaysTimeDuration):
            return _add_extended(a, b.negated())
        return extended.difference(a, b)
    except (OverflowError, ValueError):
        return None


def _subtract(a: Any, b: Any) -> Any:
    if isinstance(b, YearsMonthsDuration):
        if isinstance(a, YearsMonthsDuration):
            return YearsMonthsDuration(a.months - b.months)
        if isinstance(a, dt.date):
            return _plus_months(a, -b.months)
        return None
    if isinstance(b, DaysTimeDuration):
        if isinstance(a, DaysTimeDuration | dt.date | FeelTime):
            return _add(a, b.negated())
        return None
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None  # feel-scala: a local and an offset date-time do not subtract
        if a.tzinfo is not None:
            a, b = a.astimezone(dt.UTC), b.astimezone(dt.UTC)
        return DaysTimeDuration.of_timedelta(a - b)
    if is_date(a) and is_date(b):
        return DaysTimeDuration.of_timedelta(a - b)
    if isinstance(a, FeelTime) and isinstance(b, FeelTime):
        if a.is_local != b.is_local:
            return None
        return DaysTimeDuration.of_nanos(a.utc_nanos - b.utc_nanos)
    return None


def temporal_multiply(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and not isinstance(b, Decimal):
        a, b = b, a
    if not isinstance(b, Decimal) or isinstance(b, bool) or not b.is_finite():
        return None
    exact = decimal.Context(prec=80)  # nanosecond totals times 34-digit numbers, no rounding
    if isinstance(a, YearsMonthsDuration):
        return YearsMonthsDuration(int(exact.multiply(Decimal(a.months), b)))
    if isinstance(a, DaysTimeDuration):
        return DaysTimeDuration.of_nanos(int(exact.multiply(Decimal(a.total_nanos), b)))
    return None


def temporal_divide(a: Any, b: Any) -> Any:
    try:
        return _divide(a, b)
    except (InvalidOperation, DivisionByZero, ZeroDivisionError):
        return None


def _divide(a: Any, b: Any) -> Any:
    if isinstance(a, YearsMonthsDuration):
        if isinstance(b, YearsMonthsDuration):
            return _decimal_div(Decimal(a.months), Decimal(b.months))
        if isinstance(b, Decimal) and not isinstance(b, bool):
            return YearsMonthsDuration(int(_decimal_div(Decimal(a.months), b)))
    if isinstance(a, DaysTimeDuration):
        if isinstance(b, DaysTimeDuration):
            return _decimal_div(Decimal(a.total_nanos), Decimal(b.total_nanos))
        if isinstance(b, Decimal) and not isinstance(b, bool):
            return DaysTimeDuration.of_nanos(int(_decimal_div(Decimal(a.total_nanos), b)))
    return None


def _decimal_div(x: Decimal, y: Decimal) -> Decimal:
    from bpmn.feel.values import FEEL_DECIMAL_CONTEXT

    if y == 0:
        raise DivisionByZero
    return FEEL_DECIMAL_CONTEXT.divide(x, y)


def _date_as_date_time(a: Any, b: Any) -> tuple[Any, Any]:
    """A date meets a date-time as its midnight (UTC when the date-time has an offset), as
    DMN says and the TCK checks (@"2002-04-02" = @"2002-04-02T00:00:00Z")."""
    if is_date(a) and is_date_time(b):
        return extended.midnight_like(a, b), b
    if is_date(b) and is_date_time(a):
        return a, extended.midnight_like(b, a)
    return a, b


def _keys(a: Any, b: Any) -> tuple[tuple[str, Any] | None, tuple[str, Any] | None]:
    a, b = _date_as_date_time(a, b)
    if type(a) not in _EXTENDED and type(b) not in _EXTENDED:
        try:
            return _order_key(a), _order_key(b)
        except OverflowError:
            pass  # its UTC instant is beyond 9999-12-31: the integer timelines hold it
    # integer timelines for both, so a FeelDateTime orders against a datetime
    return extended.order_key(a) or _order_key(a), extended.order_key(b) or _order_key(b)


def temporal_compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1; None when FEEL does not order the two (other kinds, local vs offset)."""
    key_a, key_b = _keys(a, b)
    if key_a is None or key_b is None or key_a[0] != key_b[0]:
        return None
    x, y = key_a[1], key_b[1]
    return int((x > y) - (x < y))


def temporal_equals(a: Any, b: Any) -> bool | None:
    """FEEL `=`: equal instants for offset values; False between a local and an offset value of
    one kind (as the DMN TCK expects), None between different kinds."""
    key_a, key_b = _keys(a, b)
    if key_a is None or key_b is None:
        return None
    if key_a[0] != key_b[0]:
        if key_a[0].split(":")[0] == key_b[0].split(":")[0]:
            return False
        return None
    return bool(key_a[1] == key_b[1])


def _order_key(value: Any) -> tuple[str, Any] | None:
    """A (kind, sortable) pair: values order only within the same kind."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return ("date and time:local", value)
        return ("date and time:offset", value.astimezone(dt.UTC))
    if isinstance(value, dt.date):
        return ("date", value)
    if isinstance(value, FeelTime):
        if value.is_local:
            return ("time:local", value.nanos_of_day)
        return ("time:offset", value.utc_nanos)
    if isinstance(value, DaysTimeDuration):
        return ("days and time duration", value.total_nanos)
    if isinstance(value, YearsMonthsDuration):
        return ("years and months duration", value.months)
    return None


def years_and_months_between(
    start: dt.date | FeelDate, end: dt.date | FeelDate
) -> YearsMonthsDuration:
    """Whole months from `start` to `end` (java.time's Period.between without the days)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return YearsMonthsDuration(months)
