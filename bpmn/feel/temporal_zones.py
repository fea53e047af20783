"""Time zone rules for FEEL date-times of any year: the offset of a zone at an instant, and
the resolution of a local date-time in a zone with java.time's rules (a time in a daylight
saving gap moves forward by the gap, an ambiguous one takes the earlier offset).

zoneinfo only reads years 1 to 9999; a year beyond is looked up in the same position of a
400-year Gregorian cycle inside that range (the cycle repeats weekdays, so a zone's
recurring daylight saving rule gives the same offsets; before a zone's first transition the
earliest offset holds, as in java.time).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bpmn.feel.temporal_calendar import DAYS_PER_400_YEARS, SECONDS_PER_DAY

# java.time.ZoneOffset accepts offsets up to eighteen hours either way
MAX_OFFSET_SECONDS = 18 * 3600
_EPOCH = dt.datetime(1970, 1, 1)
_CYCLE_SECONDS = DAYS_PER_400_YEARS * SECONDS_PER_DAY
# epoch seconds of 0002-01-01 and 9998-12-31, a day inside zoneinfo's range at either end
_LOWEST = (dt.datetime(2, 1, 1) - _EPOCH) // dt.timedelta(seconds=1)
_HIGHEST = (dt.datetime(9998, 12, 31) - _EPOCH) // dt.timedelta(seconds=1)


@lru_cache(maxsize=256)
def zone_info(zone_id: str) -> ZoneInfo:
    """The zone for an IANA id; ValueError for an unknown one (not the ZoneInfo error types)."""
    if not zone_id or zone_id.startswith(("/", ".")) or ".." in zone_id:
        raise ValueError(f"invalid time zone id '{zone_id}'")
    try:
        return ZoneInfo(zone_id)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone id '{zone_id}'") from error


def offset_timezone(offset_seconds: int) -> dt.timezone:
    if abs(offset_seconds) > MAX_OFFSET_SECONDS:
        raise ValueError("time offset must be within -18:00 and +18:00")
    if offset_seconds == 0:
        return dt.UTC
    return dt.timezone(dt.timedelta(seconds=offset_seconds))


def _cycle_shift(seconds: int) -> int:
    """Seconds, a multiple of 400 years, that bring `seconds` into zoneinfo's years."""
    if seconds < _LOWEST:
        return -(-(_LOWEST - seconds) // _CYCLE_SECONDS) * _CYCLE_SECONDS
    if seconds > _HIGHEST:
        return -(-(seconds - _HIGHEST) // _CYCLE_SECONDS) * -_CYCLE_SECONDS
    return 0


def offset_at_instant(zone_id: str, utc_seconds: int) -> int:
    """The zone's offset in seconds at the instant `utc_seconds` after 1970-01-01T00:00Z."""
    shift = _cycle_shift(utc_seconds)
    instant = (_EPOCH + dt.timedelta(seconds=utc_seconds + shift)).replace(tzinfo=dt.UTC)
    offset = instant.astimezone(zone_info(zone_id)).utcoffset()
    assert offset is not None
    return offset // dt.timedelta(seconds=1)


def resolve_local(zone_id: str, local_seconds: int) -> tuple[int, int]:
    """(local seconds, offset seconds) of a local date-time placed in the zone, java.time's
    way: a time in a gap moves forward by the gap's length, an overlap takes the earlier
    offset."""
    shift = _cycle_shift(local_seconds)
    naive = _EPOCH + dt.timedelta(seconds=local_seconds + shift)
    zone = zone_info(zone_id)
    # the round trip through UTC turns zoneinfo's gap reading (old offset) into java.time's
    placed = naive.replace(tzinfo=zone, fold=0).astimezone(dt.UTC).astimezone(zone)
    offset = placed.utcoffset()
    assert offset is not None
    local = (placed.replace(tzinfo=None) - _EPOCH) // dt.timedelta(seconds=1)
    return local - shift, offset // dt.timedelta(seconds=1)
