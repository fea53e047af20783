"""FEEL temporal values, the public face: the Python types that represent them, parsing from
their string forms, arithmetic, comparison, properties and formatting. The work is done in the
`temporal_*` modules; import from here.

FEEL date = `datetime.date`; date and time = `datetime.datetime` (naive: local, aware with a
`datetime.timezone` for an offset or a `zoneinfo.ZoneInfo` for a zone id); time = `FeelTime`;
durations = `DaysTimeDuration` and `YearsMonthsDuration`. A date or date-time that Python
cannot hold (years outside 1 to 9999, digits below the microsecond) is a `FeelDate` or
`FeelDateTime` instead: years -999,999,999 to 999,999,999 and nanoseconds, as java.time.
"""

from __future__ import annotations

from bpmn.feel.temporal_arithmetic import (
    add_months,
    temporal_add,
    temporal_compare,
    temporal_divide,
    temporal_equals,
    temporal_multiply,
    temporal_subtract,
    years_and_months_between,
)
from bpmn.feel.temporal_extended import (
    FeelDate,
    FeelDateTime,
    date_part,
    in_zone,
    make_date,
    make_date_time,
    wide_date_time,
    zoned_date_time,
)
from bpmn.feel.temporal_format import (
    feel_string,
    temporal_properties,
    temporal_property,
    to_iso_string,
)
from bpmn.feel.temporal_parse import (
    localize,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    parse_years_months_duration,
)
from bpmn.feel.temporal_types import (
    DaysTimeDuration,
    FeelTime,
    Temporal,
    YearsMonthsDuration,
    is_date,
    is_date_time,
    is_duration,
    is_temporal,
    offset_timezone,
    temporal_type_name,
    zone_info,
)

__all__ = [
    "DaysTimeDuration",
    "FeelDate",
    "FeelDateTime",
    "FeelTime",
    "Temporal",
    "YearsMonthsDuration",
    "add_months",
    "date_part",
    "feel_string",
    "in_zone",
    "is_date",
    "is_date_time",
    "is_duration",
    "is_temporal",
    "localize",
    "make_date",
    "make_date_time",
    "offset_timezone",
    "parse_date",
    "parse_date_time",
    "parse_duration",
    "parse_time",
    "parse_years_months_duration",
    "temporal_add",
    "temporal_compare",
    "temporal_divide",
    "temporal_equals",
    "temporal_multiply",
    "temporal_properties",
    "temporal_property",
    "temporal_subtract",
    "temporal_type_name",
    "to_iso_string",
    "wide_date_time",
    "years_and_months_between",
    "zone_info",
    "zoned_date_time",
]
