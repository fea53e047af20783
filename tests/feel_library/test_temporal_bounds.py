"""Temporal values at and beyond java.time's range: a value within it is kept (years to
±999,999,999, as feel-scala), an operation beyond it is null with a warning; no Python
OverflowError or ValueError ever leaves the evaluation."""

from __future__ import annotations

import pytest

from bpmn.feel import compile_expression, to_json_value


@pytest.mark.parametrize(
    ("text", "json"),
    [
        ('duration("P999999999Y")', "P999999999Y"),
        ('date and time("999999999-12-31T23:59:59Z")', "999999999-12-31T23:59:59Z"),
        ('date("-999999999-01-01")', "-999999999-01-01"),
        ('duration("P999999999D")', "P999999999D"),
        ('date and time("2020-01-01T00:00:00Z") + duration("P999999999D") * 100', None),
    ],
)
def test_values_within_java_time_are_kept(text: str, json: str | None) -> None:
    result = compile_expression(text).evaluate_with_warnings()
    assert result.warnings == ()
    if json is not None:
        assert to_json_value(result.value) == json


@pytest.mark.parametrize(
    "text",
    [
        'date and time("999999999-12-31T23:59:59Z") + duration("P1D")',
        'date and time("999999999-12-31T23:59:59Z") + duration("P1Y")',
        'date("999999999-12-31") + duration("P1D")',
        'date("-999999999-01-01") - duration("P1D")',
        'date("2020-01-01") + duration("P999999999Y")',
        'date and time("2020-01-01T00:00:00@Europe/Paris") + duration("P999999999Y")',
        'date("2020-01-01") + duration("P1D") * 1e15',
        'duration("P999999999Y") * 1000',
        'duration("P999999999Y") + duration("P999999999Y") * 3',
        'duration("P1D") * 1e20',
        'duration("P1D") * 1e6000',
        'duration("P1D") / 1e-6000',
        'duration("PT99999999999999999999H")',
        'duration("P99999999999999999999999Y")',
        'date and time("99999999999-12-31T23:59:59Z")',
        "date(9999999999, 12, 31)",
        'abs(duration("-P999999999D") * 1e8)',
    ],
)
def test_beyond_java_time_is_null_with_a_warning(text: str) -> None:
    result = compile_expression(text).evaluate_with_warnings()  # never raises
    assert result.value is None
    assert result.warnings
    assert not any("internal error" in warning.message for warning in result.warnings)


def test_the_warning_says_what_is_out_of_range() -> None:
    result = compile_expression('duration("P1D") * 1e20').evaluate_with_warnings()
    assert result.warnings[0].message == (
        "Can't multiply P1D and 100000000000000000000: days and time duration out of range"
        " (java.time.Duration's)"
    )
