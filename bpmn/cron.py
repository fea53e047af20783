"""Spring-style cron schedules (second minute hour day-of-month month day-of-week, all in UTC):
the rules that make one valid and the next time it fires. Validation (`cron_problem`) and the
engine (`next_cron_time`) use the same field reader, so what validation accepts is what the
engine can schedule: a step of 0 or a range that runs backwards is refused, and so is an
expression that never fires (`0 0 0 31 2 *`), found by looking through one 400-year Gregorian
cycle, after which the calendar (weekdays included) repeats.

Both day fields must match, as in Spring. Spring's day forms are supported: day-of-month `L`
(last day), `L-n` (n days before it), `nW` (the weekday nearest day n, within the month), `LW`
(the last weekday); day-of-week `dL` (the last such day of the month) and `d#k` (the k-th such
day), with d a number (0 or 7 = Sunday) or a name. Pure: time comes in as epoch millis.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

_NAMES = {
    4: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    5: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
}
_FIELD_NAMES = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CYCLE_DAYS = 146_097  # days of 400 Gregorian years: dates and weekdays repeat after them
_CYCLE_START = dt.date(2000, 1, 1)


class CronFieldError(ValueError):
    """A cron field that Spring refuses; the message names the field."""


DayRule = Callable[[dt.date], bool]


@dataclass(frozen=True, slots=True)
class CronRules:
    """A cron expression read into sets of seconds, minutes, hours, months and two day rules."""

    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    day_of_month: DayRule
    day_of_week: DayRule

    def matches_day(self, day: dt.date) -> bool:
        return day.month in self.months and self.day_of_month(day) and self.day_of_week(day)


def _value(text: str, index: int) -> int:
    names = _NAMES.get(index)
    if names and text.upper() in names:
        return names.index(text.upper()) + (1 if index == 4 else 0)
    if not text.isascii() or not text.isdigit():
        raise CronFieldError(f"{_FIELD_NAMES[index]} field: '{text}' is not a number")
    value = int(text)
    low, high = _RANGES[index]
    if not low <= value <= high:
        raise CronFieldError(f"{_FIELD_NAMES[index]} field: {value} is outside {low} to {high}")
    return value


def _field(text: str, index: int) -> frozenset[int]:
    low, high = _RANGES[index]
    name = _FIELD_NAMES[index]
    if text == "*" or (text == "?" and index in (3, 5)):  # '?': "any" in a day field only
        values = set(range(low, high + 1))
    else:
        values = set()
        for part in text.split(","):
            step = 1
            if "/" in part:
                part, step_text = part.split("/", 1)
                if not step_text.isascii() or not step_text.isdigit() or int(step_text) < 1:
                    raise CronFieldError(f"{name} field: the step '{step_text}' must be 1 or more")
                step = int(step_text)
            if part == "*":
                start, end = low, high
            elif "-" in part:
                first, last = part.split("-", 1)
                start, end = _value(first, index), _value(last, index)
                if start > end:
                    raise CronFieldError(f"{name} field: the range '{part}' runs backwards")
            else:
                start = _value(part, index)
                end = high if step > 1 else start
            values.update(range(start, end + 1, step))
    if index == 5 and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


def _last_day(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: dt.date, target: int) -> bool:
    """Spring's `nW`: the Monday to Friday nearest day `target`, never outside the month."""
    last = _last_day(day)
    if target > last:
        return False
    nearest = day.replace(day=target)
    if nearest.weekday() == 5:  # Saturday: the Friday before, or Monday the 3rd
        nearest += dt.timedelta(days=2 if target == 1 else -1)
    elif nearest.weekday() == 6:  # Sunday: the Monday after, or the Friday before the last
        nearest += dt.timedelta(days=-2 if target == last else 1)
    return day == nearest


def _day_of_month(text: str) -> DayRule:
    upper = text.upper()
    if upper == "L":
        return lambda day: day.day == _last_day(day)
    if upper == "LW":
        return lambda day: (
            day.weekday() < 5
            and not any(
                (day + dt.timedelta(days=n)).weekday() < 5
                for n in range(1, _last_day(day) - day.day + 1)
            )
        )
    if match := re.fullmatch(r"L-(\d{1,2})", upper, re.ASCII):
        offset = int(match.group(1))
        return lambda day: day.day == _last_day(day) - offset
    if match := re.fullmatch(r"(\d{1,2})W", upper, re.ASCII):
        target = _value(match.group(1), 3)
        return lambda day: _nearest_weekday(day, target)
    days = _field(text, 3)
    return lambda day: day.day in days


def _day_of_week(text: str) -> DayRule:
    if match := re.fullmatch(r"(\w+?)(L|#([1-5]))", text, re.IGNORECASE):
        weekday = _value(match.group(1), 5) % 7
        if match.group(3) is None:  # dL: the last one of the month
            return lambda day: day.isoweekday() % 7 == weekday and day.day + 7 > _last_day(day)
        nth = int(match.group(3))
        return lambda day: day.isoweekday() % 7 == weekday and (day.day - 1) // 7 + 1 == nth
    weekdays = _field(text, 5)
    return lambda day: day.isoweekday() % 7 in weekdays


@functools.lru_cache(maxsize=256)
def cron_rules(fields: tuple[str, ...]) -> CronRules:
    """The rules of six cron fields; raises CronFieldError naming the field that is wrong."""
    if len(fields) != 6:
        raise CronFieldError(f"expected six fields, found {len(fields)}")
    return CronRules(
        seconds=tuple(sorted(_field(fields[0], 0))),
        minutes=tuple(sorted(_field(fields[1], 1))),
        hours=tuple(sorted(_field(fields[2], 2))),
        months=_field(fields[4], 4),
        day_of_month=_day_of_month(fields[3]),
        day_of_week=_day_of_week(fields[5]),
    )


def _first_day(rules: CronRules, start: dt.date) -> dt.date | None:
    """The first day from `start` on that matches, within one 400-year cycle; None if none.
    Months that cannot match are skipped whole. OverflowError past the year 9999."""
    day = start
    end = start + dt.timedelta(days=_CYCLE_DAYS)
    while day < end:
        if day.month not in rules.months:
            day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            continue
        if rules.day_of_month(day) and rules.day_of_week(day):
            return day
        day += dt.timedelta(days=1)
    return None


@functools.lru_cache(maxsize=256)
def cron_problem(fields: tuple[str, ...]) -> str | None:
    """Why six cron fields cannot be scheduled (a field Spring refuses, or no day in the
    Gregorian cycle matching the month and both day fields), or None when they can."""
    try:
        rules = cron_rules(fields)
    except CronFieldError as error:
        return str(error)
    if _first_day(rules, _CYCLE_START) is None:
        return "it never fires: no date matches its day-of-month, month and day-of-week"
    return None


def next_cron_time(fields: tuple[str, ...], after_ms: int) -> int:
    """Epoch millis of the first match strictly after `after_ms`; raises ValueError when the
    fields are invalid, never fire, or fire next after the year 9999."""
    problem = cron_problem(fields)
    if problem is not None:
        raise ValueError(problem)
    rules = cron_rules(fields)
    try:
        start = dt.datetime.fromtimestamp(after_ms // 1000 + 1, dt.UTC)
        day: dt.date | None = start.date()
        while day is not None:
            moment = _first_time(rules, day, start)
            if moment is not None:
                return moment
            day = _first_day(rules, day + dt.timedelta(days=1))
    except (OverflowError, OSError, ValueError):  # datetime's own range ends at 9999
        pass
    raise ValueError("it fires next after the year 9999")


def _first_time(rules: CronRules, day: dt.date, start: dt.datetime) -> int | None:
    """The first matching second of `day` at or after `start`, if `day` matches."""
    if not rules.matches_day(day):
        return None
    first = start.time() if day == start.date() else dt.time(0, 0, 0)
    for hour in rules.hours:
        if hour < first.hour:
            continue
        for minute in rules.minutes:
            if hour == first.hour and minute < first.minute:
                continue
            for second in rules.seconds:
                if (hour, minute) == (first.hour, first.minute) and second < first.second:
                    continue
                moment = dt.datetime.combine(day, dt.time(hour, minute, second), dt.UTC)
                return int(moment.timestamp() * 1000)
    return None
