"""Functions on temporal values: `now` and `today` (from the engine's clock, see
`builtins.clock`), `day of year`, `day of week`, `month of year`, `week of year` (ISO weeks),
and Camunda's `last day of month`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bpmn.feel import temporal
from bpmn.feel import temporal_calendar as calendar
from bpmn.feel.builtins.base import Builtin, require
from bpmn.feel.builtins.clock import current_time

_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _date_of(value: Any) -> dt.date | temporal.FeelDate:
    require(
        temporal.is_date(value) or temporal.is_date_time(value), "expected a date or date and time"
    )
    return temporal.date_part(value)


def _now() -> dt.datetime:
    return current_time()


def _today() -> dt.date:
    return current_time().date()


def _day_of_year(value: Any) -> Decimal:
    date = _date_of(value)
    return Decimal(calendar.day_of_year(date.year, date.month, date.day))


def _day_of_week(value: Any) -> str:
    date = _date_of(value)
    return _WEEKDAY_NAMES[
        calendar.iso_weekday(calendar.epoch_day(date.year, date.month, date.day)) - 1
    ]


def _month_of_year(value: Any) -> str:
    return _MONTH_NAMES[_date_of(value).month - 1]


def _week_of_year(value: Any) -> Decimal:
    date = _date_of(value)
    return Decimal(calendar.iso_week(date.year, date.month, date.day))


def _last_day_of_month(value: Any) -> dt.date | temporal.FeelDate:
    date = _date_of(value)
    return temporal.make_date(date.year, date.month, calendar.days_in_month(date.year, date.month))


FUNCTIONS = [
    Builtin("now", (), _now),
    Builtin("today", (), _today),
    Builtin("day of year", ("date",), _day_of_year),
    Builtin("day of week", ("date",), _day_of_week),
    Builtin("month of year", ("date",), _month_of_year),
    Builtin("week of year", ("date",), _week_of_year),
    Builtin("last day of month", ("date",), _last_day_of_month),
]
