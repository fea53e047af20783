"""The next time a Spring-style cron expression (second minute hour day-of-month month
day-of-week, all in UTC) matches. Both day fields must match, as in Spring. Spring's day forms
are supported: day-of-month `L` (last day), `L-n` (n days before it), `nW` (the weekday nearest
day n, within the month), `LW` (the last weekday); day-of-week `dL` (the last such day of the
month) and `d#k` (the k-th such day), with d a number (0 or 7 = Sunday) or a name."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

_NAMES = {
    4: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    5: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
}
_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_HORIZON_DAYS = 366 * 5


def _value(text: str, index: int) -> int:
    names = _NAMES.get(index)
    if names and text.upper() in names:
        return names.index(text.upper()) + (1 if index == 4 else 0)
    return int(text)


def _field(text: str, index: int) -> frozenset[int]:
    low, high = _RANGES[index]
    if text in ("*", "?"):
        values = set(range(low, high + 1))
    else:
        values = set()
        for part in text.split(","):
            step = 1
            if "/" in part:
                part, step_text = part.split("/")
                step = int(step_text)
            if part == "*":
                start, end = low, high
            elif "-" in part:
                first, last = part.split("-")
                start, end = _value(first, index), _value(last, index)
            else:
                start = _value(part, index)
                end = high if step > 1 else start
            values.update(range(start, end + 1, step))
    if index == 5 and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


DayRule = Callable[[dt.date], bool]


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
    if match := re.fullmatch(r"L-(\d{1,2})", upper):
        offset = int(match.group(1))
        return lambda day: day.day == _last_day(day) - offset
    if match := re.fullmatch(r"(\d{1,2})W", upper):
        target = int(match.group(1))
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


def next_cron_time(fields: tuple[str, ...], after_ms: int) -> int:
    """Epoch millis of the first match strictly after `after_ms`."""
    try:
        seconds, minutes, hours = (_field(fields[i], i) for i in range(3))
        months = _field(fields[4], 4)
        day_of_month, day_of_week = _day_of_month(fields[3]), _day_of_week(fields[5])
    except (ValueError, IndexError) as error:
        raise ValueError(str(error) or "invalid field") from None
    start = dt.datetime.fromtimestamp(after_ms // 1000 + 1, dt.UTC)
    day = start.date()
    for _ in range(_HORIZON_DAYS):
        if day.month in months and day_of_month(day) and day_of_week(day):
            first = start.time() if day == start.date() else dt.time(0, 0, 0)
            for hour in sorted(hours):
                if hour < first.hour:
                    continue
                for minute in sorted(minutes):
                    if hour == first.hour and minute < first.minute:
                        continue
                    for second in sorted(seconds):
                        if (hour, minute) == (first.hour, first.minute) and second < first.second:
                            continue
                        moment = dt.datetime.combine(day, dt.time(hour, minute, second), dt.UTC)
                        return int(moment.timestamp() * 1000)
        day += dt.timedelta(days=1)
    raise ValueError("it never matches within five years")
