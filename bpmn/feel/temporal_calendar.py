"""The proleptic Gregorian calendar for every year java.time allows (-999,999,999 to
999,999,999), on plain integers: days since 1970-01-01 ("epoch days") and back, month lengths,
ISO weekdays and weeks. Python's `date` stops at years 1 and 9999; these functions do not.
"""

from __future__ import annotations

NANOS_PER_SECOND = 1_000_000_000
SECONDS_PER_DAY = 86_400
NANOS_PER_DAY = SECONDS_PER_DAY * NANOS_PER_SECOND
MIN_YEAR, MAX_YEAR = -999_999_999, 999_999_999
DAYS_PER_400_YEARS = 146_097  # the Gregorian cycle: also a whole number of weeks

_DAYS_BEFORE_MARCH_MONTH = (0, 31, 61, 92, 122, 153, 184, 214, 245, 275, 306, 337)
_EPOCH_SHIFT = 719_468  # days from 0000-03-01 to 1970-01-01


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def check_date(year: int, month: int, day: int) -> None:
    """ValueError unless the fields name a day java.time knows."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside -999999999 to 999999999")
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} must be in 1..12")
    if not 1 <= day <= days_in_month(year, month):
        raise ValueError(f"day {day} is out of range for {year}-{month:02d}")


def epoch_day(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to the date (negative before it)."""
    # years counted from March, so that the leap day ends the year (Hinnant's civil algorithm)
    shifted_year = year - 1 if month <= 2 else year
    era, year_of_era = divmod(shifted_year, 400)
    march_month = month - 3 if month > 2 else month + 9
    day_of_year = _DAYS_BEFORE_MARCH_MONTH[march_month] + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * DAYS_PER_400_YEARS + day_of_era - _EPOCH_SHIFT


def civil_date(days: int) -> tuple[int, int, int]:
    """(year, month, day) of an epoch day; the inverse of `epoch_day`."""
    era, day_of_era = divmod(days + _EPOCH_SHIFT, DAYS_PER_400_YEARS)
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    march_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * march_month + 2) // 5 + 1
    month = march_month + 3 if march_month < 10 else march_month - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


def iso_weekday(days: int) -> int:
    """1 for Monday to 7 for Sunday; 1970-01-01 was a Thursday."""
    return (days + 3) % 7 + 1


def day_of_year(year: int, month: int, day: int) -> int:
    return epoch_day(year, month, day) - epoch_day(year, 1, 1) + 1


def iso_week(year: int, month: int, day: int) -> int:
    """The ISO 8601 week number: week 1 holds the year's first Thursday."""
    days = epoch_day(year, month, day)
    thursday = days - iso_weekday(days) + 4
    week_year = civil_date(thursday)[0]
    return (thursday - epoch_day(week_year, 1, 1)) // 7 + 1
