"""Arithmetic and ordering of FEEL dates and date-times on integer timelines, for any year
and to the nanosecond: the general path behind `temporal_arithmetic`, which takes it when a
value is a `FeelDate`/`FeelDateTime` or a result leaves Python's years. Same java.time rules:
months move the local calendar (day clamped), exact durations the instant timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bpmn.feel.temporal_calendar import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    civil_date,
    days_in_month,
    epoch_day,
)
from bpmn.feel.temporal_extended import (
    FeelDate,
    FeelDateTime,
    date_time_of_local_nanos,
    make_date,
    make_date_time,
    wide_date_time,
    zoned_date_time,
)
from bpmn.feel.temporal_types import (
    DaysTimeDuration,
    is_date,
    is_date_time,
    offset_seconds_of,
)
from bpmn.feel.temporal_zones import offset_at_instant

DateLike = dt.date | FeelDate | FeelDateTime


def plus_months(value: DateLike, months: int) -> Any:
    """A date or date-time moved by `months` on its local calendar, the day clamped to the
    month's end; a zoned date-time is resolved in its zone again."""
    index = value.year * 12 + (value.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(value.day, days_in_month(year, month0 + 1))
    if is_date(value):
        return make_date(year, month0 + 1, day)
    assert isinstance(value, dt.datetime | FeelDateTime)
    moved = wide_date_time(value)
    local = epoch_day(year, month0 + 1, day) * NANOS_PER_DAY + moved.nanos_of_day
    if moved.zone is not None:
        return zoned_date_time(local, moved.zone)
    return date_time_of_local_nanos(local, moved.offset_seconds)


def plus_nanos(value: dt.datetime | FeelDateTime, nanos: int) -> dt.datetime | FeelDateTime:
    """A date-time plus an exact duration; a zoned one follows the instant timeline."""
    wide = wide_date_time(value)
    if wide.zone is None:
        return date_time_of_local_nanos(wide.local_nanos + nanos, wide.offset_seconds)
    instant = wide.utc_nanos + nanos
    offset = offset_at_instant(wide.zone, instant // NANOS_PER_SECOND)
    return date_time_of_local_nanos(instant + offset * NANOS_PER_SECOND, offset, wide.zone)


def date_plus_nanos(value: dt.date | FeelDate, nanos: int) -> dt.date | FeelDate:
    # feel-scala adds the duration to the date's midnight and keeps the date
    days = epoch_day(value.year, value.month, value.day) + nanos // NANOS_PER_DAY
    return make_date(*civil_date(days))


def difference(a: Any, b: Any) -> DaysTimeDuration | None:
    """`a - b` of two dates or two date-times; None for other pairs and local vs offset."""
    if is_date_time(a) and is_date_time(b):
        wide_a, wide_b = wide_date_time(a), wide_date_time(b)
        if wide_a.is_local != wide_b.is_local:
            return None  # feel-scala: a local and an offset date-time do not subtract
        return DaysTimeDuration.of_nanos(wide_a.utc_nanos - wide_b.utc_nanos)
    if is_date(a) and is_date(b):
        days = epoch_day(a.year, a.month, a.day) - epoch_day(b.year, b.month, b.day)
        return DaysTimeDuration.of_nanos(days * NANOS_PER_DAY)
    return None


def midnight_like(date: dt.date | FeelDate, other: dt.datetime | FeelDateTime) -> Any:
    """A date as the date-time it equals next to `other`: its midnight, local when `other` is
    local, else UTC (as DMN says and the TCK checks)."""
    offset = None if offset_seconds_of(other) is None else 0
    return make_date_time(date.year, date.month, date.day, 0, 0, 0, 0, offset)


def order_key(value: Any) -> tuple[str, int] | None:
    """(kind, position on an integer timeline) of a date or date-time; None otherwise."""
    if is_date_time(value):
        wide = wide_date_time(value)
        if wide.is_local:
            return ("date and time:local", wide.local_nanos)
        return ("date and time:offset", wide.utc_nanos)
    if is_date(value):
        return ("date", epoch_day(value.year, value.month, value.day))
    return None
