"""FEEL dates and date-times that Python's `date`/`datetime` cannot hold: years outside 1 to
9999 (java.time goes to ±999,999,999) and date-times with digits below the microsecond.

A FEEL date is a `datetime.date` when it fits and a `FeelDate` otherwise; a date and time is
a `datetime.datetime` when it fits and a `FeelDateTime` otherwise. The `make_*` factories
choose, so common values stay plain Python values (what the engine and JSON see). The `wide_*`
functions lift any date or date-time into the extended types for the general code paths.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bpmn.feel.temporal_calendar import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    check_date,
    civil_date,
    epoch_day,
)
from bpmn.feel.temporal_zones import (
    MAX_OFFSET_SECONDS,
    offset_at_instant,
    offset_timezone,
    resolve_local,
    zone_info,
)


@dataclass(frozen=True, slots=True)
class FeelDate:
    """A FEEL date outside Python's years (proleptic Gregorian, as java.time.LocalDate)."""

    year: int
    month: int
    day: int

    def __post_init__(self) -> None:
        check_date(self.year, self.month, self.day)

    @property
    def epoch_day(self) -> int:
        return epoch_day(self.year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class FeelDateTime:
    """A FEEL date and time that `datetime` cannot hold, exact to the nanosecond.

    `offset_seconds` is None for a local date-time; a zoned one has `zone` and the offset
    in force at that local time (resolved when it was made).
    """

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanosecond: int = 0
    offset_seconds: int | None = None
    zone: str | None = None

    def __post_init__(self) -> None:
        check_date(self.year, self.month, self.day)
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60 and 0 <= self.second < 60):
            raise ValueError(f"invalid time {self.hour}:{self.minute}:{self.second}")
        if not 0 <= self.nanosecond < NANOS_PER_SECOND:
            raise ValueError("nanosecond out of range")
        if self.offset_seconds is not None and abs(self.offset_seconds) > MAX_OFFSET_SECONDS:
            raise ValueError("time offset must be within -18:00 and +18:00")
        if self.zone is not None and self.offset_seconds is None:
            raise ValueError("a zoned date and time needs its offset")

    @property
    def is_local(self) -> bool:
        return self.offset_seconds is None

    @property
    def epoch_day(self) -> int:
        return epoch_day(self.year, self.month, self.day)

    @property
    def nanos_of_day(self) -> int:
        seconds = self.hour * 3600 + self.minute * 60 + self.second
        return seconds * NANOS_PER_SECOND + self.nanosecond

    @property
    def local_nanos(self) -> int:
        """Nanoseconds from 1970-01-01T00:00 on the local timeline."""
        return self.epoch_day * NANOS_PER_DAY + self.nanos_of_day

    @property
    def utc_nanos(self) -> int:
        """Nanoseconds from 1970-01-01T00:00Z; the local timeline for a local value."""
        return self.local_nanos - (self.offset_seconds or 0) * NANOS_PER_SECOND


ExtendedTemporal = (FeelDate, FeelDateTime)


def make_date(year: int, month: int, day: int) -> dt.date | FeelDate:
    """The FEEL date: a `datetime.date` when Python holds it; ValueError if java.time does
    not."""
    if dt.MINYEAR <= year <= dt.MAXYEAR:
        try:
            return dt.date(year, month, day)
        except ValueError as error:
            raise ValueError(f"no date {year}-{month}-{day}: {error}") from None
    return FeelDate(year, month, day)


def make_date_time(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int,
    nanosecond: int = 0,
    offset_seconds: int | None = None,
    zone: str | None = None,
) -> dt.datetime | FeelDateTime:
    """The FEEL date and time of already resolved fields (`offset_seconds` in force for a
    zone): a `datetime.datetime` when Python holds it exactly."""
    if dt.MINYEAR <= year <= dt.MAXYEAR and nanosecond % 1000 == 0:
        tz: dt.tzinfo | None = None
        if zone is not None:
            tz = zone_info(zone)
        elif offset_seconds is not None:
            tz = offset_timezone(offset_seconds)
        value = dt.datetime(year, month, day, hour, minute, second, nanosecond // 1000, tz)
        if zone is not None and _offset_of(value) != offset_seconds:
            value = value.replace(fold=1)  # the later of two offsets in an overlap
        return value
    return FeelDateTime(year, month, day, hour, minute, second, nanosecond, offset_seconds, zone)


def date_time_of_local_nanos(
    local_nanos: int, offset_seconds: int | None = None, zone: str | None = None
) -> dt.datetime | FeelDateTime:
    """The date-time at `local_nanos` on the local timeline, with resolved offset/zone."""
    days, nanos = divmod(local_nanos, NANOS_PER_DAY)
    seconds, nanosecond = divmod(nanos, NANOS_PER_SECOND)
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    year, month, day = civil_date(days)
    return make_date_time(year, month, day, hour, minute, second, nanosecond, offset_seconds, zone)


def zoned_date_time(local_nanos: int, zone: str) -> dt.datetime | FeelDateTime:
    """A local date-time placed in a zone with java.time's gap and overlap rules."""
    seconds, fraction = divmod(local_nanos, NANOS_PER_SECOND)
    local_seconds, offset = resolve_local(zone, seconds)
    return date_time_of_local_nanos(local_seconds * NANOS_PER_SECOND + fraction, offset, zone)


def in_zone(value: dt.datetime | FeelDateTime, zone: str) -> dt.datetime | FeelDateTime:
    """Camunda's `date and time(value, zone)`: a local value placed in the zone, an offset or
    zoned one moved to the zone at the same instant."""
    wide = wide_date_time(value)
    if wide.is_local:
        return zoned_date_time(wide.local_nanos, zone)
    offset = offset_at_instant(zone, wide.utc_nanos // NANOS_PER_SECOND)
    return date_time_of_local_nanos(wide.utc_nanos + offset * NANOS_PER_SECOND, offset, zone)


def wide_date_time(value: dt.datetime | FeelDateTime) -> FeelDateTime:
    """Any date-time as a FeelDateTime (without the range checks a new value gets)."""
    if isinstance(value, FeelDateTime):
        return value
    zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
    return FeelDateTime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond * 1000,
        _offset_of(value),
        zone,
    )


def date_part(value: dt.date | FeelDate | FeelDateTime) -> dt.date | FeelDate:
    """The FEEL date of a date or date-time."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, FeelDateTime):
        return make_date(value.year, value.month, value.day)
    return value


def _offset_of(value: dt.datetime) -> int | None:
    offset = value.utcoffset()
    return None if offset is None else offset // dt.timedelta(seconds=1)
