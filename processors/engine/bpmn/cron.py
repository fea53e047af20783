"""The next time a Spring-style cron expression (second minute hour day-of-month month
day-of-week, all in UTC) matches. Both day fields must match, as in Spring; the L, W and #
day forms are not scheduled (ValueError)."""

from __future__ import annotations

import datetime as dt

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
            if any(c in part.upper() for c in ("L", "W", "#")) and index in (3, 5):
                raise ValueError(f"the day form '{part}' is not supported")
            values.update(range(start, end + 1, step))
    if index == 5 and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


def next_cron_time(fields: tuple[str, ...], after_ms: int) -> int:
    """Epoch millis of the first match strictly after `after_ms`."""
    try:
        seconds, minutes, hours, days, months, weekdays = (
            _field(text, i) for i, text in enumerate(fields)
        )
    except (ValueError, IndexError) as error:
        raise ValueError(str(error) or "invalid field") from None
    start = dt.datetime.fromtimestamp(after_ms // 1000 + 1, dt.UTC)
    day = start.date()
    for _ in range(_HORIZON_DAYS):
        if day.month in months and day.day in days and (day.isoweekday() % 7) in weekdays:
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
