"""Parsing of the FEEL temporal string forms, with the formats feel-scala accepts: ISO dates
with four to nine year digits, local and offset times and date-times (`Z`, `+01:00`,
`@Europe/Paris`, `+01:00[Europe/Paris]`), and ISO 8601 durations of either kind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from bpmn.feel.temporal_calendar import epoch_day
from bpmn.feel.temporal_extended import (
    FeelDate,
    FeelDateTime,
    make_date,
    make_date_time,
    zoned_date_time,
)
from bpmn.feel.temporal_types import (
    MAX_OFFSET_SECONDS,
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    SECONDS_PER_DAY,
    DaysTimeDuration,
    FeelTime,
    YearsMonthsDuration,
    standard_offset_seconds,
    zone_info,
)

_YEAR = r"(?P<year>-?(?:[1-9]\d{4,8}|\d{4}))"
_DATE = _YEAR + r"-(?P<month>\d{2})-(?P<day>\d{2})"
_LOCAL_TIME = (
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
)
_OFFSET = (
    r"(?:(?P<utc>Z)|(?P<offset>[+-]\d{2}:\d{2}(?::\d{2})?))(?:\[(?P<bracket_zone>[^\]]+)\])?"
    r"|@(?P<zone>.+)"
)

_DATE_RE = re.compile(_DATE, re.ASCII)
_TIME_RE = re.compile(r"T?" + _LOCAL_TIME + r"(?:" + _OFFSET + r")?", re.ASCII)
_DATE_TIME_RE = re.compile(_DATE + "T" + _LOCAL_TIME + r"(?:" + _OFFSET + r")?", re.ASCII)

_YEARS_MONTHS_RE = re.compile(
    r"(?P<sign>-?)P(?:(?P<years>-?\d+)Y)?(?:(?P<months>-?\d+)M)?", re.ASCII
)
_DAYS_TIME_RE = re.compile(
    r"(?P<sign>-?)P(?:(?P<days>-?\d+)D)?"
    r"(?:T(?:(?P<hours>-?\d+)H)?(?:(?P<minutes>-?\d+)M)?"
    r"(?:(?P<seconds>-?\d+)(?:[.,](?P<fraction>\d{0,9}))?S)?)?",
    re.ASCII,  # Java's parsers read ASCII digits only; `\d` would take `٣` and `３`
)
_INT32 = 2**31 - 1


def parse_date(text: str) -> dt.date | FeelDate:
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text}' is not a date (expected yyyy-mm-dd)")
    return _date_of(match, text)


def parse_time(text: str) -> FeelTime:
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time (expected hh:mm:ss with optional offset)")
    if match["second"] is None and _has_offset(match):
        raise ValueError(f"'{text}' is not a time: a time with offset needs seconds")
    hour, minute, second, nanos = _time_fields(match, text)
    if match["zone"] is not None or match["bracket_zone"] is not None:
        zone = match["zone"] or match["bracket_zone"]
        zone_info(zone)  # validates the id
        from bpmn.feel.builtins.clock import current_time  # the clock imports nothing back

        offset = standard_offset_seconds(zone, current_time())
        return FeelTime(hour, minute, second, nanos, offset, zone)
    offset_seconds = _offset_seconds(match)
    return FeelTime(hour, minute, second, nanos, offset_seconds)


def parse_date_time(text: str) -> dt.datetime | FeelDateTime:
    """A date-time; a bare date means its midnight as a local date-time (as feel-scala)."""
    date_only = _DATE_RE.fullmatch(text)
    if date_only is not None:
        date = _date_of(date_only, text)
        return make_date_time(date.year, date.month, date.day, 0, 0, 0)
    match = _DATE_TIME_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text}' is not a date and time (expected yyyy-mm-ddThh:mm:ss)")
    date = _date_of(match, text)
    if int(match["hour"]) == 24 and isinstance(date, dt.date) and _is_end_of_day(match):
        # ISO 8601's end of day, as java.time's smart resolver reads it: the next midnight
        if date == dt.date.max:
            raise ValueError(f"'{text}' is not a date and time: year out of range")
        date = date + dt.timedelta(days=1)
        rest = max(match.end(g) for g in ("minute", "second", "fraction") if match[g])
        match = _DATE_TIME_RE.fullmatch(f"{date.isoformat()}T00:00:00{text[rest:]}")
        assert match is not None
    if int(match["hour"]) > 23:
        raise ValueError(f"'{text}' is not a date and time: hour out of range")
    hour, minute, second, nanos = _time_fields(match, text)
    zone = match["zone"] or match["bracket_zone"]
    if zone is not None:
        if isinstance(date, dt.date) and nanos % 1000 == 0:
            naive = dt.datetime(
                date.year, date.month, date.day, hour, minute, second, nanos // 1000
            )
            with contextlib.suppress(OverflowError):  # UTC beyond 9999: general path below
                return localize(naive, zone)
        nanos_of_day = ((hour * 60 + minute) * 60 + second) * NANOS_PER_SECOND + nanos
        days = epoch_day(date.year, date.month, date.day)
        return zoned_date_time(days * NANOS_PER_DAY + nanos_of_day, zone)
    offset_seconds = _offset_seconds(match)
    return make_date_time(
        date.year, date.month, date.day, hour, minute, second, nanos, offset_seconds
    )


def _is_end_of_day(match: re.Match[str]) -> bool:
    fraction = match["fraction"] or "0"
    return match["minute"] == "00" and (match["second"] or "00") == "00" and not fraction.strip("0")


def localize(naive: dt.datetime, zone_id: str) -> dt.datetime:
    """Attach a zone to a local date-time as java.time does: a time in a daylight saving gap
    moves forward by the gap, an ambiguous time takes the earlier offset."""
    zone = zone_info(zone_id)
    # the round trip through UTC turns zoneinfo's gap reading (old offset) into java.time's
    return naive.replace(tzinfo=zone, fold=0).astimezone(dt.UTC).astimezone(zone)


def parse_duration(text: str) -> DaysTimeDuration | YearsMonthsDuration:
    match = _YEARS_MONTHS_RE.fullmatch(text)
    if match is not None and (match["years"] or match["months"]):
        years = _int32(match["years"], text)
        months = _int32(match["months"], text)
        total = 12 * years + months
        return YearsMonthsDuration(-total if match["sign"] else total)
    match = _DAYS_TIME_RE.fullmatch(text)
    if match is not None and _has_days_time_part(match, text):
        return _days_time_of(match, text)
    raise ValueError(f"'{text}' is not a duration (expected e.g. P1Y2M or P1DT2H3M4.5S)")


def parse_years_months_duration(text: str) -> YearsMonthsDuration:
    value = parse_duration(text)
    if not isinstance(value, YearsMonthsDuration):
        raise ValueError(f"'{text}' is not a years and months duration")
    return value


def _has_days_time_part(match: re.Match[str], text: str) -> bool:
    has_time = any(match[name] is not None for name in ("hours", "minutes", "seconds"))
    if "T" in text and not has_time:
        return False  # "PT" or "P1DT" name a time part but give none
    return has_time or match["days"] is not None


def _days_time_of(match: re.Match[str], text: str) -> DaysTimeDuration:
    seconds = (
        _long(match["days"]) * SECONDS_PER_DAY
        + _long(match["hours"]) * 3600
        + _long(match["minutes"]) * 60
        + _long(match["seconds"])
    )
    nanos = seconds * NANOS_PER_SECOND
    fraction = match["fraction"]
    if fraction:
        fraction_nanos = int(fraction.ljust(9, "0"))
        nanos += -fraction_nanos if match["seconds"].startswith("-") else fraction_nanos
    if match["sign"]:
        nanos = -nanos
    if abs(nanos) >= 2**63 * NANOS_PER_SECOND:
        raise ValueError(f"'{text}' is too long a duration")
    return DaysTimeDuration.of_nanos(nanos)


def _long(digits: str | None) -> int:
    return 0 if digits is None else int(digits)


def _int32(digits: str | None, text: str) -> int:
    value = _long(digits)
    if abs(value) > _INT32:
        raise ValueError(f"'{text}' is out of range for a duration")
    return value


def _date_of(match: re.Match[str], text: str) -> dt.date | FeelDate:
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    try:
        return make_date(year, month, day)
    except ValueError as error:
        raise ValueError(f"'{text}' is not a valid date: {error}") from None


def _time_fields(match: re.Match[str], text: str) -> tuple[int, int, int, int]:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    fraction = match["fraction"]
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{text}' is not a valid time of day")
    return hour, minute, second, nanos


def _has_offset(match: re.Match[str]) -> bool:
    return any(match[name] is not None for name in ("utc", "offset", "zone"))


def _offset_seconds(match: re.Match[str]) -> int | None:
    if match["utc"] is not None:
        return 0
    offset = match["offset"]
    if offset is None:
        return None
    sign = -1 if offset[0] == "-" else 1
    parts = [int(part) for part in offset[1:].split(":")]
    hours, minutes = parts[0], parts[1]
    seconds = parts[2] if len(parts) > 2 else 0
    if minutes > 59 or seconds > 59:
        raise ValueError(f"invalid time offset '{offset}'")
    total = sign * (hours * 3600 + minutes * 60 + seconds)
    if abs(total) > MAX_OFFSET_SECONDS:
        raise ValueError(f"time offset '{offset}' is beyond 18 hours")
    return total
