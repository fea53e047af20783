"""The FEEL temporal value types that Python lacks: a time of day with an optional offset or
zone, and the two exact duration kinds. Dates and date-times are Python's own `date` and
`datetime` (naive for local date-times, aware for offsets and zone ids) when they fit, else
`FeelDate` / `FeelDateTime` of `temporal_extended`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bpmn.feel.temporal_calendar import NANOS_PER_DAY, NANOS_PER_SECOND, SECONDS_PER_DAY
from bpmn.feel.temporal_extended import FeelDate, FeelDateTime
from bpmn.feel.temporal_zones import MAX_OFFSET_SECONDS, offset_timezone, zone_info

__all__ = [
    "MAX_OFFSET_SECONDS",
    "NANOS_PER_DAY",
    "NANOS_PER_SECOND",
    "SECONDS_PER_DAY",
    "DaysTimeDuration",
    "FeelDate",
    "FeelDateTime",
    "FeelTime",
    "Temporal",
    "YearsMonthsDuration",
    "is_date",
    "is_date_time",
    "is_duration",
    "is_temporal",
    "offset_seconds_of",
    "offset_timezone",
    "standard_offset_seconds",
    "temporal_type_name",
    "zone_id_of",
    "zone_info",
]


# java.time's bounds, which feel-scala's durations have (beyond them its arithmetic fails and
# the result is null): Duration's seconds are a long, Period's years an int
MAX_DURATION_SECONDS = 2**63 - 1
MAX_DURATION_MONTHS = (2**31 - 1) * 12 + 11


@dataclass(frozen=True, order=False)
class DaysTimeDuration:
    """FEEL days and time duration, exact to the nanosecond (java.time.Duration's shape).

    `nanos` is always in [0, 1e9): -0.5 s is seconds=-1, nanos=500_000_000.
    """

    seconds: int
    nanos: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.nanos < NANOS_PER_SECOND:
            raise ValueError("nanos must be within [0, 1e9); use DaysTimeDuration.of_nanos")
        if not -MAX_DURATION_SECONDS - 1 <= self.seconds <= MAX_DURATION_SECONDS:
            raise ValueError("days and time duration out of range (java.time.Duration's)")

    @classmethod
    def of_nanos(cls, total_nanos: int) -> DaysTimeDuration:
        seconds, nanos = divmod(total_nanos, NANOS_PER_SECOND)
        return cls(seconds, nanos)

    @classmethod
    def of_timedelta(cls, delta: dt.timedelta) -> DaysTimeDuration:
        micros = (delta.days * SECONDS_PER_DAY + delta.seconds) * 1_000_000 + delta.microseconds
        return cls.of_nanos(micros * 1000)

    @property
    def total_nanos(self) -> int:
        return self.seconds * NANOS_PER_SECOND + self.nanos

    @property
    def total_seconds(self) -> Decimal:
        return Decimal(self.total_nanos).scaleb(-9).normalize() + Decimal(0)

    def to_timedelta(self) -> dt.timedelta:
        """As a timedelta; sub-microsecond digits are truncated toward zero."""
        total = self.total_nanos
        micros = total // 1000 if total >= 0 else -(-total // 1000)
        return dt.timedelta(microseconds=micros)

    def negated(self) -> DaysTimeDuration:
        return DaysTimeDuration.of_nanos(-self.total_nanos)


@dataclass(frozen=True)
class YearsMonthsDuration:
    """FEEL years and months duration, held as a number of months (always normalized)."""

    months: int

    def __post_init__(self) -> None:
        if abs(self.months) > MAX_DURATION_MONTHS:
            raise ValueError("years and months duration out of range (java.time.Period's)")

    @property
    def years_part(self) -> int:
        return int(self.months / 12)

    @property
    def months_part(self) -> int:
        return self.months - 12 * self.years_part


@dataclass(frozen=True)
class FeelTime:
    """FEEL time: a local time of day, exact to the nanosecond, with an optional offset or zone.

    A zoned time carries the zone's standard offset (a time has no date to pick a daylight
    saving offset from), as feel-scala does.
    """

    hour: int
    minute: int
    second: int
    nanosecond: int = 0
    offset_seconds: int | None = None  # None: a local time without offset
    zone: str | None = None  # zone id when given as `@Europe/Paris`

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60 and 0 <= self.second < 60):
            raise ValueError(f"invalid time {self.hour}:{self.minute}:{self.second}")
        if not 0 <= self.nanosecond < NANOS_PER_SECOND:
            raise ValueError("nanosecond out of range")
        if self.offset_seconds is not None and abs(self.offset_seconds) > MAX_OFFSET_SECONDS:
            raise ValueError("time offset must be within -18:00 and +18:00")
        if self.zone is not None and self.offset_seconds is None:
            raise ValueError("a zoned time needs its offset")

    @classmethod
    def of_nanos_of_day(
        cls, nanos: int, offset_seconds: int | None = None, zone: str | None = None
    ) -> FeelTime:
        nanos %= NANOS_PER_DAY  # times wrap around midnight, as java.time.LocalTime does
        seconds, nanosecond = divmod(nanos, NANOS_PER_SECOND)
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        return cls(hour, minute, second, nanosecond, offset_seconds, zone)

    @property
    def is_local(self) -> bool:
        return self.offset_seconds is None

    @property
    def nanos_of_day(self) -> int:
        seconds = self.hour * 3600 + self.minute * 60 + self.second
        return seconds * NANOS_PER_SECOND + self.nanosecond

    @property
    def utc_nanos(self) -> int:
        """Nanoseconds from midnight UTC, not wrapped; the order of offset times."""
        return self.nanos_of_day - (self.offset_seconds or 0) * NANOS_PER_SECOND

    def to_time(self) -> dt.time:
        """As a naive datetime.time; sub-microsecond digits are truncated."""
        return dt.time(self.hour, self.minute, self.second, self.nanosecond // 1000)

    def tzinfo(self) -> dt.tzinfo | None:
        if self.zone is not None:
            return zone_info(self.zone)
        if self.offset_seconds is not None:
            return offset_timezone(self.offset_seconds)
        return None


Temporal = (
    dt.date
    | dt.datetime
    | FeelDate
    | FeelDateTime
    | FeelTime
    | DaysTimeDuration
    | YearsMonthsDuration
)
_TEMPORAL_TYPES = (dt.date, FeelDate, FeelDateTime, FeelTime, DaysTimeDuration, YearsMonthsDuration)


def is_temporal(value: object) -> bool:
    return isinstance(value, _TEMPORAL_TYPES)


def is_duration(value: object) -> bool:
    return isinstance(value, DaysTimeDuration | YearsMonthsDuration)


def is_date(value: object) -> bool:
    """A FEEL date: a datetime.date that is not a datetime.datetime, or a FeelDate."""
    return (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or isinstance(
        value, FeelDate
    )


def is_date_time(value: object) -> bool:
    return isinstance(value, dt.datetime | FeelDateTime)


def temporal_type_name(value: Any) -> str:
    if isinstance(value, dt.datetime | FeelDateTime):
        return "date and time"
    if isinstance(value, dt.date | FeelDate):
        return "date"
    if isinstance(value, FeelTime):
        return "time"
    if isinstance(value, DaysTimeDuration):
        return "days and time duration"
    if isinstance(value, YearsMonthsDuration):
        return "years and months duration"
    raise TypeError(f"not a FEEL temporal value: {type(value).__name__}")


def zone_id_of(value: dt.datetime | FeelDateTime) -> str | None:
    """The zone id of a zoned date-time, None for an offset or local one."""
    if isinstance(value, FeelDateTime):
        return value.zone
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo):
        return tz.key
    return None


def offset_seconds_of(value: dt.datetime | FeelDateTime) -> int | None:
    if isinstance(value, FeelDateTime):
        return value.offset_seconds
    offset = value.utcoffset()
    if offset is None:
        return None
    return int(offset.total_seconds())


def standard_offset_seconds(zone_id: str, at: dt.datetime) -> int:
    """The zone's offset without daylight saving at instant `at`."""
    zone = zone_info(zone_id)
    local = at.astimezone(zone)
    offset = local.utcoffset() or dt.timedelta(0)
    dst = local.dst() or dt.timedelta(0)
    return int((offset - dst).total_seconds())
