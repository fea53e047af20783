"""Static timer values as Zeebe accepts them: ISO 8601 durations (`PT15M`, `P1DT2H`),
date-times with an offset or zone (`2025-01-01T09:00:00Z`, `...+02:00[Europe/Berlin]`),
repeating intervals (`R5/PT10S`, `R/PT1H`, `R3/2025-01-01T09:00:00Z/PT1H`) and Spring-style
six-field cron expressions for cycles (`0 0 9-17 * * MON-FRI`, `@hourly`).

The engine uses the same functions on the results of timer expressions at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bpmn.cron import cron_problem


class TimerValueError(ValueError):
    """A timer value that is not valid; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class IsoDuration:
    """An ISO 8601 duration; years/months/days are calendar units, the rest exact time."""

    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: Decimal = Decimal(0)

    def total_seconds_approx(self) -> Decimal:
        """Seconds, counting a month as 30 days and a year as 365 (for display and sorting)."""
        days = self.years * 365 + self.months * 30 + self.days
        return Decimal(((days * 24 + self.hours) * 60 + self.minutes) * 60) + self.seconds


@dataclass(frozen=True, slots=True)
class RepeatingInterval:
    """`R<n>/[<start>/]<duration>`; `repetitions` None means repeat forever (`R/...`)."""

    repetitions: int | None
    interval: IsoDuration
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A Spring cron expression: second minute hour day-of-month month day-of-week."""

    expression: str
    fields: tuple[str, str, str, str, str, str]


TimerCycle = RepeatingInterval | CronSchedule

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?",
    re.ASCII,  # ASCII digits only, as java.time reads them (\d alone takes '１' and '٣')
)
_ZONE_SUFFIX = re.compile(r"^(?P<stamp>.+?)\[(?P<zone>[^\]]+)\]$")


def parse_duration(text: str) -> IsoDuration:
    value = text.strip()
    match = _DURATION.fullmatch(value)
    if not match or value in ("P", "PT") or value.endswith("T"):
        raise TimerValueError(
            f"Invalid duration '{text}': expected an ISO 8601 duration such as 'PT15M' or 'P1DT2H'"
        )
    part = match.groupdict()
    weeks = int(part["weeks"] or 0)
    duration = IsoDuration(
        years=int(part["years"] or 0),
        months=int(part["months"] or 0),
        days=int(part["days"] or 0) + 7 * weeks,
        hours=int(part["hours"] or 0),
        minutes=int(part["minutes"] or 0),
        seconds=Decimal((part["seconds"] or "0").replace(",", ".")),
    )
    if duration.total_seconds_approx() > _LONGEST_SECONDS:
        raise TimerValueError(
            f"Invalid duration '{text}': longer than 10,000 years, no timer can wait for it"
        )
    return duration


_LONGEST_SECONDS: Final = Decimal(10_000 * 366 * 24 * 3600)


def parse_date_time(text: str) -> datetime:
    """An ISO 8601 date-time with 'Z', an offset, or a bracketed zone id."""
    value = text.strip()
    zone: ZoneInfo | None = None
    zoned = _ZONE_SUFFIX.match(value)
    if zoned:
        value = zoned["stamp"]
        try:
            zone = ZoneInfo(zoned["zone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise TimerValueError(
                f"Invalid date '{text}': unknown time zone '{zoned['zone']}'"
            ) from None
    try:
        stamp = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise TimerValueError(
            f"Invalid date '{text}': expected an ISO 8601 date-time such as "
            "'2025-01-01T09:00:00Z' or '2025-01-01T09:00:00+02:00'"
        ) from None
    if "T" not in value.upper():
        raise TimerValueError(
            f"Invalid date '{text}': a time of day is required (e.g. 'T09:00:00Z')"
        )
    if zone is not None:
        stamp = stamp.replace(tzinfo=zone) if stamp.tzinfo is None else stamp.astimezone(zone)
    if stamp.tzinfo is None:
        raise TimerValueError(
            f"Invalid date '{text}': a UTC offset or zone is required (e.g. 'Z' or '+02:00')"
        )
    return stamp


_CRON_MACROS: Final = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}


def parse_cron(text: str) -> CronSchedule:
    value = text.strip()
    expanded = _CRON_MACROS.get(value.lower(), value)
    parts = expanded.split()
    if len(parts) != 6:
        raise TimerValueError(
            f"Invalid cron expression '{text}': expected six fields "
            "(second minute hour day-of-month month day-of-week), e.g. '0 0 9-17 * * MON-FRI'"
        )
    fields = (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])
    problem = cron_problem(fields)
    if problem is not None:  # the engine schedules with the same rules (bpmn.cron)
        raise TimerValueError(f"Invalid cron expression '{text}': {problem}")
    return CronSchedule(value, fields)


def parse_cycle(text: str) -> TimerCycle:
    value = text.strip()
    if not value.upper().startswith("R"):
        return parse_cron(value)
    pieces = value.split("/")
    count = pieces[0][1:]
    if len(pieces) not in (2, 3) or (count and not (count.isascii() and count.isdigit())):
        raise TimerValueError(
            f"Invalid cycle '{text}': expected a repeating interval such as 'R5/PT10S', 'R/PT1H' "
            "or 'R3/2025-01-01T09:00:00Z/PT1H', or a cron expression"
        )
    start = parse_date_time(pieces[1]) if len(pieces) == 3 else None
    interval = parse_duration(pieces[-1])
    if not count and interval.total_seconds_approx() < Decimal("0.001"):
        # It would fire again and again at the same instant (timers count whole milliseconds,
        # so PT0.0001S is no later than PT0S): an endless loop, never a schedule.
        raise TimerValueError(
            f"Invalid cycle '{text}': a cycle that repeats forever needs an interval of at"
            " least one millisecond (e.g. 'R/PT1S')"
        )
    return RepeatingInterval(int(count) if count else None, interval, start)


def feel_timer_value(kind: str, result: Any, source: str) -> datetime | IsoDuration | TimerCycle:
    """The timer value of a FEEL result (as JSON) for a `timeDate`, `timeDuration` or
    `timeCycle` (`kind`) whose expression is `source`; raises TimerValueError with Zeebe's
    message. The engine uses it at run time, deployment rules for timer start events."""
    expected = _EXPECTED.get(kind, "[STRING]")
    if not isinstance(result, str):
        raise TimerValueError(
            f"Expected result of the expression '{source}' to be one of '{expected}',"
            f" but was '{_json_type_name(result)}'"
        )
    try:
        if kind == "timeDate":
            return _parse_feel_date_time(result)
        if kind == "timeDuration":
            return parse_duration(result)
        return parse_cycle(result)
    except TimerValueError as error:
        raise TimerValueError(
            f"Expected a valid {kind} from the expression '{source}', but"
            f" its result '{result}' is not: {error}"
        ) from None


_EXPECTED: Final = {
    "timeDate": "[DATE_TIME, STRING]",
    "timeDuration": "[DURATION, PERIOD, STRING]",
    "timeCycle": "[STRING]",
}


def _json_type_name(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int | float):
        return "NUMBER"
    if isinstance(value, list):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    return type(value).__name__.upper()


_FEEL_ZONE = re.compile(r"^(?P<stamp>.+)@(?P<zone>[A-Za-z_]+/[A-Za-z_/+-]+|UTC)$")


def _parse_feel_date_time(text: str) -> datetime:
    """A FEEL date-time's text (`...@Europe/Berlin` too); a local one is taken as UTC."""
    zoned = _FEEL_ZONE.match(text)
    if zoned:
        text = f"{zoned['stamp']}[{zoned['zone']}]"
    try:
        return parse_date_time(text)
    except TimerValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise
        if moment.tzinfo is not None or "T" not in text.upper():
            raise
        return moment.replace(tzinfo=UTC)
