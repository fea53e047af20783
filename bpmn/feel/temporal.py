"""FEEL temporal values, the public face: the Python types that represent them, parsing from
their string forms, arithmetic, comparison, properties and formatting. The work is done in the
`temporal_*` modules; import from here.

FEEL date = `datetime.date`; date and time = `datetime.datetime` (naive: local, aware with a
`datetime.timezone` for an offset or a `zoneinfo.ZoneInfo` for a zone id); time = `FeelTime`;
durations = `DaysTimeDuration` and `YearsMonthsDuration`. Date-times hold microseconds (Python's
limit) and years 1 to 9999; times and durations are exact to the nanosecond.
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
    is_duration,
    is_temporal,
    offset_timezone,
    temporal_type_name,
    zone_info,
)

__all__ = [
    "DaysTimeDuration",
    "FeelTime",
    "Temporal",
    "YearsMonthsDuration",
    "add_months",
    "feel_string",
    "is_date",
    "is_duration",
    "is_temporal",
    "localize",
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
    "years_and_months_between",
    "zone_info",
]
