import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bpmn.feel.temporal import (
    DaysTimeDuration,
    FeelDate,
    FeelTime,
    YearsMonthsDuration,
    feel_string,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    to_iso_string,
)


def test_dates() -> None:
    assert parse_date("2017-01-01") == dt.date(2017, 1, 1)
    assert parse_date("0001-01-01") == dt.date(1, 1, 1)


@pytest.mark.parametrize(
    "text",
    ["2017-13-01", "2017-02-30", "17-01-01", "2017-1-01", "2017/01/01", "", "9999999999-12-25"],
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_years_beyond_python_become_extended_dates() -> None:
    assert parse_date("-999999999-12-31") == FeelDate(-999_999_999, 12, 31)
    assert parse_date("10000-01-01") == FeelDate(10_000, 1, 1)
    with pytest.raises(ValueError, match="not a valid date"):
        parse_date("-2017-02-29")  # not a leap year in the proleptic calendar


def test_local_and_offset_times() -> None:
    assert parse_time("10:00:00") == FeelTime(10, 0, 0)
    assert parse_time("T10:00") == FeelTime(10, 0, 0)
    assert parse_time("11:22:33.123456789").nanosecond == 123456789
    assert parse_time("10:00:00+01:00").offset_seconds == 3600
    assert parse_time("10:00:00Z").offset_seconds == 0
    assert feel_string(parse_time("23:59:01.987654321")) == "23:59:01.987654321"


def test_zoned_time_takes_the_standard_offset() -> None:
    paris = parse_time("10:30:00@Europe/Paris")
    assert (paris.zone, paris.offset_seconds) == ("Europe/Paris", 3600)
    assert feel_string(paris) == "10:30:00@Europe/Paris"
    assert to_iso_string(paris) == "10:30:00+01:00"


@pytest.mark.parametrize(
    "text", ["24:00:00", "10:60:00", "10:00+01:00", "10:00:00@Nowhere/City", "10"]
)
def test_bad_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_date_times() -> None:
    assert parse_date_time("2017-01-01T10:00:00") == dt.datetime(2017, 1, 1, 10)
    assert parse_date_time("2017-01-01") == dt.datetime(2017, 1, 1)
    assert parse_date_time("2017-01-01T10:00:00.5Z").utcoffset() == dt.timedelta(0)
    offset = parse_date_time("2017-01-01T10:00:00+01:00")
    assert offset.utcoffset() == dt.timedelta(hours=1)
    zoned = parse_date_time("2018-10-08T00:00:00@Europe/Paris")
    assert zoned.tzinfo == ZoneInfo("Europe/Paris")
    assert feel_string(zoned) == "2018-10-08T00:00:00@Europe/Paris"
    assert to_iso_string(zoned) == "2018-10-08T00:00:00+02:00[Europe/Paris]"
    assert parse_date_time("2018-10-08T00:00:00+02:00[Europe/Paris]") == zoned


def test_time_in_a_daylight_saving_gap_moves_forward_as_java_time() -> None:
    value = parse_date_time("2020-03-29T02:30:00@Europe/Paris")
    assert feel_string(value) == "2020-03-29T03:30:00@Europe/Paris"


def test_hour_24_of_a_date_time_is_the_next_midnight_as_java_time_reads_it() -> None:
    assert parse_date_time("2021-01-01T24:00:00") == dt.datetime(2021, 1, 2)
    assert parse_date_time("2021-12-31T24:00:00.000Z") == dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    assert feel_string(parse_date_time("2021-03-27T24:00:00@Europe/Paris")) == (
        "2021-03-28T00:00:00@Europe/Paris"
    )


@pytest.mark.parametrize(
    "text",
    [
        "2017-01-01T25:00:00",
        "2017-01-01T24:00:01",
        "2017-01-01T24:30:00",
        "2017-01-01T24:00:00.5",
        "2017-01-01 10:00:00",
        "2017-01-01T10:00:00+19:00",
        "x",
    ],
)
def test_bad_date_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date_time(text)


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("P1D", "P1D"),
        ("PT0.999S", "PT0.999S"),
        ("P1DT2H3M4.123456789S", "P1DT2H3M4.123456789S"),
        ("PT0.000S", "P0D"),
        ("PT0.S", "P0D"),
        ("-PT1H2M", "-PT1H2M"),
        ("PT1000M", "PT16H40M"),
        ("PT24H", "P1D"),
        ("PT3600S", "PT1H"),
        ("P2DT274M", "P2DT4H34M"),
        ("-PT-1H", "PT1H"),
        ("P1Y2M", "P1Y2M"),
        ("P0M", "P0Y"),
        ("P26M", "P2Y2M"),
        ("-P100M", "-P8Y4M"),
        ("P999999999M", "P83333333Y3M"),
    ],
)
def test_durations_normalize(text: str, printed: str) -> None:
    assert feel_string(parse_duration(text)) == printed


def test_duration_kinds() -> None:
    assert parse_duration("P1Y") == YearsMonthsDuration(12)
    assert parse_duration("PT1M") == DaysTimeDuration(60)
    assert parse_duration("-PT0.5S") == DaysTimeDuration(-1, 500_000_000)


@pytest.mark.parametrize("text", ["", "P", "PT", "P0", "1Y", "1D", "P1H", "P1S", "P1Y2M3D", "P1DT"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
