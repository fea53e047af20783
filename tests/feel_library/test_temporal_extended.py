"""Dates and date-times beyond Python's `date`/`datetime`: years outside 1 to 9999 and
nanosecond date-times, as `FeelDate`/`FeelDateTime`, through parsing, formatting,
arithmetic, comparison, properties, zones and the built-ins."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bpmn.feel import evaluate, to_json_value
from bpmn.feel.temporal import (
    FeelDate,
    FeelDateTime,
    YearsMonthsDuration,
    feel_string,
    make_date,
    make_date_time,
    parse_date,
    parse_date_time,
    parse_duration,
    temporal_add,
    temporal_compare,
    temporal_equals,
    temporal_property,
    temporal_subtract,
    temporal_type_name,
    to_iso_string,
)
from bpmn.feel.temporal_calendar import civil_date, epoch_day, iso_week, iso_weekday
from bpmn.feel.temporal_zones import offset_at_instant, resolve_local


def test_calendar_agrees_with_python_where_python_has_dates() -> None:
    rng = random.Random(7)
    origin = dt.date(1970, 1, 1)
    for _ in range(2000):
        day = dt.date.fromordinal(rng.randint(1, dt.date.max.toordinal()))
        days = (day - origin).days
        assert epoch_day(day.year, day.month, day.day) == days
        assert civil_date(days) == (day.year, day.month, day.day)
        assert iso_weekday(days) == day.isoweekday()
        assert iso_week(day.year, day.month, day.day) == day.isocalendar().week


@pytest.mark.parametrize("year", [-999_999_999, -2017, -1, 0, 10_000, 999_999_999])
def test_calendar_round_trips_at_any_year(year: int) -> None:
    for month in (1, 2, 12):
        days = epoch_day(year, month, 1)
        assert civil_date(days) == (year, month, 1)
    # the Gregorian calendar repeats every 400 years, weekdays included
    assert iso_weekday(epoch_day(year, 3, 1)) == iso_weekday(epoch_day(year % 400 + 2000, 3, 1))


def test_factories_keep_python_values_where_they_fit() -> None:
    assert make_date(2017, 2, 28) == dt.date(2017, 2, 28)
    assert make_date(-2017, 2, 28) == FeelDate(-2017, 2, 28)
    assert make_date_time(2017, 2, 28, 1, 2, 3, 4000) == dt.datetime(2017, 2, 28, 1, 2, 3, 4)
    assert make_date_time(2017, 2, 28, 1, 2, 3, 4001) == FeelDateTime(2017, 2, 28, 1, 2, 3, 4001)
    with pytest.raises(ValueError):
        make_date(1_000_000_000, 1, 1)
    with pytest.raises(ValueError):
        make_date(-2017, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "-2017-12-31T11:22:33",
        "99999-12-31T11:22:33",
        "2011-12-31T10:15:30.123456789@Europe/Paris",
        "999999999-12-31T23:59:59.999999999@Europe/Paris",
        "-999999999-12-31T23:59:59.999999999+02:00",
        "2017-01-01T00:00:00.000000001Z",
    ],
)
def test_date_times_round_trip_through_their_feel_form(text: str) -> None:
    assert feel_string(parse_date_time(text)) == text


def test_iso_form_of_an_extended_zoned_date_time() -> None:
    value = parse_date_time("12020-07-01T10:00:00.5@Europe/Paris")
    assert to_iso_string(value) == "12020-07-01T10:00:00.5+02:00[Europe/Paris]"
    assert isinstance(to_json_value(value), str)


def test_small_negative_years_have_four_digits() -> None:
    assert feel_string(make_date(-5, 1, 1)) == "-0005-01-01"
    assert feel_string(make_date(0, 1, 1)) == "0000-01-01"


def test_zone_rules_repeat_beyond_year_9999() -> None:
    summer = parse_date_time("12020-07-01T12:00:00@Europe/Paris")
    winter = parse_date_time("12020-01-01T12:00:00@Europe/Paris")
    assert temporal_property(summer, "time offset") == parse_duration("PT2H")
    assert temporal_property(winter, "time offset") == parse_duration("PT1H")
    # before a zone's first transition its local mean time holds, as in java.time
    assert offset_at_instant("Europe/Paris", -(10**12)) == 561


def test_a_time_in_a_daylight_saving_gap_moves_forward_in_any_year() -> None:
    for year in (2021, 12021):
        local = epoch_day(year, 3, 28) * 86_400 + 2 * 3600 + 30 * 60  # 02:30, in the gap
        seconds, offset = resolve_local("Europe/Paris", local)
        assert (seconds - local, offset) == (3600, 7200)


def test_arithmetic_crosses_the_python_year_limits() -> None:
    assert temporal_add(parse_date("9999-12-31"), parse_duration("P1D")) == FeelDate(10000, 1, 1)
    assert temporal_subtract(FeelDate(10000, 1, 1), parse_duration("P1D")) == dt.date(9999, 12, 31)
    assert temporal_add(parse_date("-2017-02-28"), parse_duration("P1Y")) == FeelDate(-2016, 2, 28)
    assert temporal_add(parse_date("-2016-01-31"), parse_duration("P1M")) == FeelDate(-2016, 2, 29)
    assert temporal_subtract(parse_date("10000-01-01"), parse_date("9999-12-31")) == (
        parse_duration("P1D")
    )
    late = parse_date_time("9999-12-31T23:00:00@Europe/Paris")
    assert feel_string(temporal_add(late, parse_duration("PT2H"))) == (
        "10000-01-01T01:00:00@Europe/Paris"
    )


def test_nanosecond_date_times_add_subtract_and_order() -> None:
    base = parse_date_time("2020-01-01T10:00:00")
    fine = parse_date_time("2020-01-01T10:00:00.000000001")
    assert isinstance(base, dt.datetime) and isinstance(fine, FeelDateTime)
    assert temporal_subtract(fine, base) == parse_duration("PT0.000000001S")
    assert temporal_compare(fine, base) == 1
    assert temporal_equals(temporal_subtract(fine, parse_duration("PT0.000000001S")), base)
    assert temporal_add(base, parse_duration("PT0.5S")) == dt.datetime(2020, 1, 1, 10, 0, 0, 500000)
    # the last nanosecond before the spring gap, plus one, lands after the gap
    gap = parse_date_time("2020-03-29T01:59:59.999999999@Europe/Paris")
    after = temporal_add(gap, parse_duration("PT0.000000001S"))
    assert after == dt.datetime(2020, 3, 29, 3, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_extended_values_compare_with_python_ones() -> None:
    assert temporal_compare(parse_date("-2017-01-01"), parse_date("2017-01-01")) == -1
    assert temporal_equals(parse_date("-2017-01-01"), parse_date_time("-2017-01-01T00:00:00"))
    assert temporal_compare(parse_date_time("10000-01-01T00:00:00Z"), dt.datetime.now(dt.UTC)) == 1
    local = parse_date_time("10000-01-01T00:00:00")
    assert temporal_compare(local, parse_date_time("2000-01-01T00:00:00Z")) is None
    assert temporal_equals(local, parse_date_time("10000-01-01T00:00:00Z")) is False
    assert temporal_type_name(local) == "date and time"
    assert temporal_type_name(parse_date("-0001-01-01")) == "date"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("string(date(-999999999, 12, 31))", "-999999999-12-31"),
        ('string(date(date and time("-2017-02-28T10:00:00")))', "-2017-02-28"),
        ('day of week(date("-2017-01-01"))', "Saturday"),
        ('month of year(date("99999-05-01"))', "May"),
        ('day of year(date("-2000-12-31"))', Decimal(366)),
        ('date("-2017-01-01").weekday', Decimal(6)),
        ('string(last day of month(date("-2000-02-03")))', "-2000-02-29"),
        ('string(time(date and time("2017-08-10T23:59:01.987654321")))', "23:59:01.987654321"),
        (
            'string(date and time(date("2017-01-01"), time("23:59:01.123456789@Europe/Paris")))',
            "2017-01-01T23:59:01.123456789@Europe/Paris",
        ),
        (
            'string(date and time(date and time("99999-07-01T10:00:00Z"), "Europe/Paris"))',
            "99999-07-01T12:00:00@Europe/Paris",
        ),
        ('date("-2017-01-01") instance of date', True),
        ('date and time("2017-01-01T00:00:00.1234567") instance of date and time', True),
        ("date(1000000000, 1, 1)", None),
    ],
)
def test_builtins_and_properties_on_extended_values(expression: str, expected: object) -> None:
    assert evaluate(expression, {}) == expected


def test_years_and_months_between_negative_years() -> None:
    result = evaluate(
        'years and months duration(date and time("2014-12-31T23:59:59"),'
        ' date and time("-2019-10-01T12:32:59"))',
        {},
    )
    assert result == YearsMonthsDuration(-(4033 * 12 + 2))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # a Python datetime whose UTC instant is past 9999-12-31 still orders and moves
        (
            'date and time("9999-12-31T23:00:00@America/New_York")'
            ' = date and time("10000-01-01T04:00:00Z")',
            True,
        ),
        (
            'string(date and time("9999-12-31T23:00:00@America/New_York") + duration("PT1H"))',
            "10000-01-01T00:00:00@America/New_York",
        ),
        (
            'string(date and time(date("9999-12-31"), time("23:00:00@America/New_York")))',
            "9999-12-31T23:00:00@America/New_York",
        ),
        (
            'string(date and time(date and time("9999-12-31T23:00:00-05:00"), "Asia/Tokyo"))',
            "10000-01-01T13:00:00@Asia/Tokyo",
        ),
        (
            'date and time("0001-01-01T01:00:00@Asia/Tokyo")'
            ' - date and time("0001-01-01T00:00:00Z")',
            parse_duration("-PT8H18M59S"),  # Tokyo's local mean time, +09:18:59
        ),
    ],
)
def test_values_at_the_edges_of_python_years(expression: str, expected: object) -> None:
    assert evaluate(expression, {}) == expected
