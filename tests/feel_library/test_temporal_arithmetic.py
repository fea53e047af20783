import datetime as dt
from decimal import Decimal

import pytest

from bpmn.feel.temporal import (
    DaysTimeDuration,
    FeelDate,
    YearsMonthsDuration,
    feel_string,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    temporal_add,
    temporal_compare,
    temporal_divide,
    temporal_equals,
    temporal_multiply,
    temporal_property,
    temporal_subtract,
    temporal_type_name,
)


def d(text: str) -> object:
    return parse_duration(text)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2020-01-31", "P1M", "2020-02-29"),
        ("2021-01-31", "P1M", "2021-02-28"),
        ("2020-03-31", "-P1M", "2020-02-29"),
        ("2020-02-29", "P1Y", "2021-02-28"),
        ("2020-05-15", "P1Y2M", "2021-07-15"),
    ],
)
def test_months_clamp_to_the_end_of_month(start: str, months: str, expected: str) -> None:
    assert temporal_add(parse_date(start), d(months)) == parse_date(expected)


def test_date_time_plus_months_keeps_time_and_zone() -> None:
    value = parse_date_time("2020-01-31T10:00:00@Europe/Paris")
    assert feel_string(temporal_add(value, d("P1M"))) == "2020-02-29T10:00:00@Europe/Paris"
    assert feel_string(temporal_subtract(value, d("P1M"))) == "2019-12-31T10:00:00@Europe/Paris"


def test_exact_durations_follow_the_instant_timeline() -> None:
    before = parse_date_time("2020-03-28T12:00:00@Europe/Paris")
    after = temporal_add(before, d("P1D"))
    assert feel_string(after) == "2020-03-29T13:00:00@Europe/Paris"
    assert temporal_subtract(after, before) == d("P1D")


def test_date_differences() -> None:
    assert temporal_subtract(parse_date("2020-03-01"), parse_date("2020-02-01")) == d("P29D")
    assert temporal_add(parse_date("2020-03-01"), d("PT25H")) == parse_date("2020-03-02")
    assert temporal_subtract(parse_date("2020-03-01"), d("PT1S")) == parse_date("2020-02-29")
    assert temporal_add(d("P1D"), parse_date("2020-03-01")) == parse_date("2020-03-02")


def test_local_and_offset_date_times_do_not_mix() -> None:
    local = parse_date_time("2020-01-01T10:00:00")
    offset = parse_date_time("2020-01-01T10:00:00Z")
    assert temporal_subtract(local, offset) is None
    assert temporal_compare(local, offset) is None
    assert temporal_equals(local, offset) is False
    assert temporal_equals(local, parse_time("10:00:00")) is None


def test_a_date_meets_a_date_time_at_midnight() -> None:
    date = parse_date("2002-04-02")
    assert temporal_equals(date, parse_date_time("2002-04-02T00:00:00Z")) is True
    assert temporal_equals(date, parse_date_time("2002-04-02T00:00:00")) is True
    assert temporal_compare(date, parse_date_time("2002-04-02T10:00:00")) == -1


def test_offset_date_times_compare_by_instant() -> None:
    a = parse_date_time("2002-04-02T12:00:00-01:00")
    b = parse_date_time("2002-04-02T17:00:00+04:00")
    assert temporal_equals(a, b) is True
    assert temporal_compare(a, parse_date_time("2002-04-02T12:00:01-01:00")) == -1


def test_times() -> None:
    assert temporal_add(parse_time("23:00:00"), d("PT2H")) == parse_time("01:00:00")
    assert temporal_subtract(parse_time("10:00:00"), parse_time("11:30:00")) == d("-PT1H30M")
    assert temporal_subtract(parse_time("10:00:00Z"), parse_time("10:00:00+01:00")) == d("PT1H")
    assert temporal_subtract(parse_time("10:00:00Z"), parse_time("10:00:00")) is None
    assert temporal_equals(parse_time("10:30:00Z"), parse_time("10:30:00+00:00")) is True
    assert (
        temporal_equals(parse_time("10:30:00+02:00"), parse_time("10:30:00@Europe/Paris")) is False
    )
    assert temporal_equals(parse_time("10:30:00"), parse_time("10:30:00@Europe/Paris")) is False


def test_duration_arithmetic() -> None:
    assert temporal_add(d("P1Y"), d("P11M")) == d("P1Y11M")
    assert temporal_subtract(d("PT1H"), d("PT90M")) == d("-PT30M")
    assert temporal_multiply(d("P1D"), Decimal("1.5")) == d("P1DT12H")
    assert temporal_multiply(Decimal(2), d("P7M")) == d("P1Y2M")
    assert temporal_divide(d("P1D"), d("PT1H")) == Decimal(24)
    assert temporal_divide(d("P1Y"), Decimal(5)) == YearsMonthsDuration(2)
    assert temporal_divide(d("P1Y"), Decimal(0)) is None
    assert temporal_divide(d("PT1S"), Decimal(3)) == DaysTimeDuration(0, 333_333_333)
    assert temporal_add(d("P1Y"), d("P1D")) is None
    assert temporal_add(parse_date("2020-01-01"), parse_date("2020-01-01")) is None


def test_leaving_python_years_gives_an_extended_date_and_java_limits_give_none() -> None:
    assert temporal_add(parse_date("9999-12-31"), d("P1D")) == FeelDate(10_000, 1, 1)
    assert temporal_add(parse_date("999999999-12-31"), d("P1D")) is None


def test_comparisons() -> None:
    assert temporal_compare(d("P1Y"), d("P13M")) == -1
    assert temporal_compare(d("PT24H"), d("P1D")) == 0
    assert temporal_compare(d("P1D"), d("P1M")) is None
    assert temporal_compare(parse_date("2020-01-01"), parse_time("10:00:00")) is None
    assert temporal_compare(parse_date("2020-01-02"), parse_date("2020-01-01")) == 1


def test_properties() -> None:
    value = parse_date_time("2018-12-10T10:30:01+05:00")
    assert temporal_property(value, "weekday") == 1
    assert temporal_property(value, "second") == 1
    assert temporal_property(value, "time offset") == d("PT5H")
    assert temporal_property(value, "timezone") is None
    zoned = parse_date_time("2018-12-10T10:30:01@Europe/Paris")
    assert temporal_property(zoned, "timezone") == "Europe/Paris"
    assert temporal_property(parse_date_time("2018-12-10T10:30:01"), "time offset") is None
    assert temporal_property(d("-P1DT2H3M4S"), "hours") == -2
    assert temporal_property(d("P2DT25H"), "days") == 3
    assert temporal_property(d("-P14M"), "years") == -1
    assert temporal_property(d("-P14M"), "months") == -2
    with pytest.raises(KeyError):
        temporal_property(parse_date("2020-01-01"), "hour")


def test_type_names() -> None:
    assert temporal_type_name(dt.date(2020, 1, 1)) == "date"
    assert temporal_type_name(dt.datetime(2020, 1, 1)) == "date and time"
    assert temporal_type_name(parse_time("10:00:00")) == "time"
    assert temporal_type_name(d("P1D")) == "days and time duration"
    assert temporal_type_name(d("P1Y")) == "years and months duration"
