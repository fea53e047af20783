"""Conversion functions: the temporal constructors (`date`, `time`, `date and time`,
`duration`, `years and months duration`), `number`, `string`, and Camunda's `from json` /
`to json`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bpmn.feel import temporal
from bpmn.feel.builtins.base import (
    OMITTED,
    Builtin,
    FeelFunctionError,
    is_number,
    is_string,
    require,
)
from bpmn.feel.builtins.numbers import int_value
from bpmn.feel.formatting import format_value
from bpmn.feel.temporal import DaysTimeDuration, FeelTime
from bpmn.feel.temporal_calendar import NANOS_PER_DAY, epoch_day
from bpmn.feel.values import decimal128

# what java.math.BigDecimal(String) accepts, which is what feel-scala's number() parses
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_GROUPING_SEPARATORS = (" ", ",", ".")
_DECIMAL_SEPARATORS = (",", ".")


def _parsed(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError as error:
        raise FeelFunctionError(str(error)) from None


def _date(value: Any) -> dt.date | temporal.FeelDate:
    if is_string(value):
        result: dt.date | temporal.FeelDate = _parsed(temporal.parse_date, value)
        return result
    if temporal.is_date(value) or temporal.is_date_time(value):
        return temporal.date_part(value)
    raise FeelFunctionError(f"date() expects a string, date or date and time, not {value!r}")


def _date_of_parts(year: Any, month: Any, day: Any) -> dt.date | temporal.FeelDate:
    require(all(is_number(v) for v in (year, month, day)), "date() expects three numbers")
    try:
        return temporal.make_date(int_value(year), int_value(month), int_value(day))
    except (ValueError, OverflowError) as error:
        raise FeelFunctionError(f"no date {year}-{month}-{day}: {error}") from None


def _date_and_time(value: Any) -> dt.datetime | temporal.FeelDateTime:
    require(is_string(value), "date and time() expects a string")
    result: dt.datetime | temporal.FeelDateTime = _parsed(temporal.parse_date_time, value)
    return result


def _date_and_time_of(date: Any, time: Any) -> dt.datetime | temporal.FeelDateTime:
    require(
        temporal.is_date(date) or temporal.is_date_time(date),
        "date and time() expects a date or date and time first",
    )
    try:
        if isinstance(time, FeelTime):
            day = temporal.date_part(date)
            if isinstance(day, dt.date) and time.nanosecond % 1000 == 0:
                value = _python_date_and_time(day, time)  # the common case, twice as fast
                if value is not None:
                    return value
            if time.zone is not None:
                days = epoch_day(day.year, day.month, day.day)
                return temporal.zoned_date_time(days * NANOS_PER_DAY + time.nanos_of_day, time.zone)
            fields = (time.hour, time.minute, time.second, time.nanosecond, time.offset_seconds)
            return temporal.make_date_time(day.year, day.month, day.day, *fields)
        if is_string(time) and temporal.is_date_time(date):
            # Camunda extension: date and time(value, "Europe/Berlin") moves the value to a zone
            return temporal.in_zone(date, time)
    except ValueError as error:
        raise FeelFunctionError(str(error)) from None
    raise FeelFunctionError("date and time() expects a date and a time")


def _python_date_and_time(day: dt.date, time: FeelTime) -> dt.datetime | None:
    """The date-time from Python's own types; None when its UTC instant passes 9999."""
    naive = dt.datetime.combine(day, time.to_time())
    if time.zone is not None:
        try:
            return temporal.localize(naive, time.zone)
        except OverflowError:
            return None
    if time.offset_seconds is not None:
        return naive.replace(tzinfo=temporal.offset_timezone(time.offset_seconds))
    return naive


def _time(value: Any) -> FeelTime:
    if is_string(value):
        result: FeelTime = _parsed(temporal.parse_time, value)
        return result
    if temporal.is_date_time(value):
        wide = temporal.wide_date_time(value)
        fields = (wide.hour, wide.minute, wide.second, wide.nanosecond)
        return FeelTime(*fields, wide.offset_seconds, wide.zone)
    if temporal.is_date(value):
        return FeelTime(0, 0, 0, 0, 0)  # feel-scala: midnight UTC
    raise FeelFunctionError(f"time() expects a string, date or date and time, not {value!r}")


def _time_of_parts(hour: Any, minute: Any, second: Any, offset: Any = None) -> FeelTime:
    require(all(is_number(v) for v in (hour, minute, second)), "time() expects numbers")
    require(
        offset is None or isinstance(offset, DaysTimeDuration),
        "time() expects a days and time duration as offset",
    )
    nanos = int((second - int(second)) * 1_000_000_000)
    offset_seconds = None if offset is None else offset.seconds
    try:
        return FeelTime(int(hour), int(minute), int(second), nanos, offset_seconds)
    except ValueError as error:
        raise FeelFunctionError(str(error)) from None


def parse_number(text: str) -> Decimal:
    if _NUMBER_RE.fullmatch(text) is None:
        raise FeelFunctionError(f"can't parse '{text}' as a number")
    value = decimal128(text)  # as a literal is read
    if value is None:
        raise FeelFunctionError(f"'{text}' is out of range for a FEEL number (decimal128)")
    return value


def _number(text: Any, grouping: Any = OMITTED, decimal_separator: Any = OMITTED) -> Decimal:
    # an omitted separator and an explicit null both mean none (feel-scala)
    grouping = None if grouping is OMITTED else grouping
    decimal_separator = None if decimal_separator is OMITTED else decimal_separator
    require(is_string(text), "number() expects a string")
    require(
        grouping is None or grouping in _GROUPING_SEPARATORS,
        "grouping separator must be one of ' ', ',' or '.'",
    )
    require(
        decimal_separator is None or decimal_separator in _DECIMAL_SEPARATORS,
        "decimal separator must be ',' or '.'",
    )
    require(
        grouping is None or grouping != decimal_separator,
        "grouping and decimal separator must differ",
    )
    if grouping is not None:
        text = text.replace(grouping, "")
    if decimal_separator is not None:
        text = text.replace(decimal_separator, ".")
    return parse_number(text)


def _string(value: Any) -> str | None:
    if value is None:
        return None
    return format_value(value)


def _duration(value: Any) -> Any:
    require(is_string(value), "duration() expects a string")
    return _parsed(temporal.parse_duration, value)


def _years_and_months(start: Any, end: Any) -> temporal.YearsMonthsDuration:
    require(
        all(temporal.is_date(v) or temporal.is_date_time(v) for v in (start, end)),
        "years and months duration() expects two dates or date-times",
    )
    return temporal.years_and_months_between(temporal.date_part(start), temporal.date_part(end))


def _from_json(text: Any) -> Any:
    if text is None:
        return None
    require(is_string(text), "from json() expects a string")
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=_no_nan)
    except ValueError as error:
        raise FeelFunctionError(f"failed to parse JSON: {error}") from None


def _no_nan(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _to_json(value: Any) -> str:
    return _json_text(value)


def _json_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_value(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if temporal.is_temporal(value):
        return json.dumps(temporal.to_iso_string(value))
    if isinstance(value, list):
        return "[" + ",".join(_json_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        entries = (
            f"{json.dumps(str(k), ensure_ascii=False)}:{_json_text(v)}" for k, v in value.items()
        )
        return "{" + ",".join(entries) + "}"
    return json.dumps(format_value(value))


FUNCTIONS = [
    Builtin("date", ("from",), _date),
    Builtin("date", ("year", "month", "day"), _date_of_parts),
    Builtin("date and time", ("from",), _date_and_time),
    Builtin("date and time", ("date", "time"), _date_and_time_of),
    Builtin("time", ("from",), _time),
    Builtin("time", ("hour", "minute", "second", "offset"), _time_of_parts, optional=1),
    Builtin("number", ("from", "grouping separator", "decimal separator"), _number, optional=2),
    Builtin("string", ("from",), _string),
    Builtin("duration", ("from",), _duration),
    Builtin("years and months duration", ("from", "to"), _years_and_months),
    Builtin("from json", ("json",), _from_json),
    Builtin("to json", ("value",), _to_json),
]
