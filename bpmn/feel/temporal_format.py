"""String forms and properties of FEEL temporal values: the FEEL form that `string()` gives
(zoned values as `...@Europe/Paris`), the ISO 8601 form for JSON (zoned date-times as
`...+01:00[Europe/Paris]`, as feel-scala's `to json`), and the named properties (`x.year`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bpmn.feel.temporal_calendar import epoch_day, iso_weekday
from bpmn.feel.temporal_extended import FeelDate, FeelDateTime
from bpmn.feel.temporal_types import (
    NANOS_PER_SECOND,
    DaysTimeDuration,
    FeelTime,
    YearsMonthsDuration,
    offset_seconds_of,
    zone_id_of,
)


def _fraction(nanos: int) -> str:
    """java.time prints the fraction with as few digits as it takes, none for zero."""
    if nanos == 0:
        return ""
    return "." + f"{nanos:09d}".rstrip("0")


def _local_time(hour: int, minute: int, second: int, nanos: int) -> str:
    return f"{hour:02d}:{minute:02d}:{second:02d}{_fraction(nanos)}"


def format_offset(seconds: int) -> str:
    if seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{secs:02d}" if secs else "")


def format_date(value: dt.date | FeelDate | FeelDateTime) -> str:
    year = value.year
    # four digits at least, a minus before year 0; feel-scala writes no plus beyond 9999
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{value.month:02d}-{value.day:02d}"


def _local_date_time(value: dt.datetime | FeelDateTime) -> str:
    nanos = value.nanosecond if isinstance(value, FeelDateTime) else value.microsecond * 1000
    time = _local_time(value.hour, value.minute, value.second, nanos)
    return f"{format_date(value)}T{time}"


def format_date_time(value: dt.datetime | FeelDateTime, *, iso: bool = False) -> str:
    local = _local_date_time(value)
    offset = offset_seconds_of(value)
    if offset is None:
        return local
    zone = zone_id_of(value)
    if zone is None:
        return local + format_offset(offset)
    if iso:
        return f"{local}{format_offset(offset)}[{zone}]"
    return f"{local}@{zone}"


def format_time(value: FeelTime, *, iso: bool = False) -> str:
    local = _local_time(value.hour, value.minute, value.second, value.nanosecond)
    if value.offset_seconds is None:
        return local
    if value.zone is not None and not iso:
        return f"{local}@{value.zone}"
    return local + format_offset(value.offset_seconds)


def _duration_parts(value: DaysTimeDuration) -> tuple[int, int, int, int, int]:
    """days, hours, minutes, seconds, nanos of the magnitude (all non-negative)."""
    total = abs(value.total_nanos)
    seconds, nanos = divmod(total, NANOS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    return days, hour, minute, second, nanos


def format_days_time_duration(value: DaysTimeDuration) -> str:
    """feel-scala's form (days, not 24 hours; P0D for zero), keeping any fraction of seconds."""
    days, hours, minutes, seconds, nanos = _duration_parts(value)
    if value.total_nanos == 0:
        return "P0D"
    text = "-P" if value.total_nanos < 0 else "P"
    if days:
        text += f"{days}D"
    if hours or minutes or seconds or nanos:
        text += "T"
        if hours:
            text += f"{hours}H"
        if minutes:
            text += f"{minutes}M"
        if seconds or nanos:
            text += f"{seconds}{_fraction(nanos)}S"
    return text


def format_years_months_duration(value: YearsMonthsDuration) -> str:
    if value.months == 0:
        return "P0Y"
    years, months = divmod(abs(value.months), 12)
    text = "-P" if value.months < 0 else "P"
    if years:
        text += f"{years}Y"
    if months:
        text += f"{months}M"
    return text


def feel_string(value: Any) -> str:
    """The FEEL string form of a temporal value (what `string()` returns)."""
    return _format(value, iso=False)


def to_iso_string(value: Any) -> str:
    """The ISO 8601 form for JSON documents."""
    return _format(value, iso=True)


def _format(value: Any, *, iso: bool) -> str:
    if isinstance(value, dt.datetime | FeelDateTime):
        return format_date_time(value, iso=iso)
    if isinstance(value, dt.date | FeelDate):
        return format_date(value)
    if isinstance(value, FeelTime):
        return format_time(value, iso=iso)
    if isinstance(value, DaysTimeDuration):
        return format_days_time_duration(value)
    if isinstance(value, YearsMonthsDuration):
        return format_years_months_duration(value)
    raise TypeError(f"not a FEEL temporal value: {type(value).__name__}")


def _truncated_div(numerator: int, denominator: int) -> int:
    """Integer division toward zero, as Java's long division."""
    quotient = abs(numerator) // denominator
    return -quotient if numerator < 0 else quotient


def _date_properties(value: dt.date | FeelDate | FeelDateTime) -> dict[str, Any]:
    if isinstance(value, dt.date):
        weekday = value.isoweekday()
    else:
        weekday = iso_weekday(epoch_day(value.year, value.month, value.day))
    return {
        "year": Decimal(value.year),
        "month": Decimal(value.month),
        "day": Decimal(value.day),
        "weekday": Decimal(weekday),
    }


def _time_properties(
    hour: int, minute: int, second: int, offset: int | None, zone: str | None
) -> dict[str, Any]:
    return {
        "hour": Decimal(hour),
        "minute": Decimal(minute),
        "second": Decimal(second),
        "time offset": None if offset is None else DaysTimeDuration(offset),
        "timezone": zone,
    }


def temporal_properties(value: Any) -> dict[str, Any]:
    """All properties of a temporal value by FEEL name."""
    if isinstance(value, dt.datetime | FeelDateTime):
        return _date_properties(value) | _time_properties(
            value.hour, value.minute, value.second, offset_seconds_of(value), zone_id_of(value)
        )
    if isinstance(value, dt.date | FeelDate):
        return _date_properties(value)
    if isinstance(value, FeelTime):
        return _time_properties(
            value.hour, value.minute, value.second, value.offset_seconds, value.zone
        )
    if isinstance(value, DaysTimeDuration):
        seconds = _truncated_div(value.total_nanos, NANOS_PER_SECOND)
        return {
            "days": Decimal(_truncated_div(seconds, 86_400)),
            "hours": Decimal(_signed_mod(_truncated_div(seconds, 3600), 24)),
            "minutes": Decimal(_signed_mod(_truncated_div(seconds, 60), 60)),
            "seconds": Decimal(_signed_mod(seconds, 60)),
        }
    if isinstance(value, YearsMonthsDuration):
        return {"years": Decimal(value.years_part), "months": Decimal(value.months_part)}
    raise TypeError(f"not a FEEL temporal value: {type(value).__name__}")


def _signed_mod(number: int, modulus: int) -> int:
    """Java's `%`: the remainder takes the sign of the dividend."""
    remainder = abs(number) % modulus
    return -remainder if number < 0 else remainder


def temporal_property(value: Any, name: str) -> Any:
    """One FEEL property; KeyError for a name the value does not have."""
    properties = temporal_properties(value)
    if name not in properties:
        raise KeyError(name)
    return properties[name]
