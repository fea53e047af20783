"""FEEL numbers are DMN's decimal128: 34 significant digits, exponents up to 6144. A literal
beyond that is null with a warning, read in time and memory of its text, never expanded."""

from __future__ import annotations

import tracemalloc
from decimal import Decimal

import pytest

from bpmn.feel import FeelEvaluationError, FeelSyntaxError, compile_expression, to_json_value


@pytest.mark.parametrize(
    "text", ["1e999999999", "1E6145", "-1e999999999", "1e" + "9" * 5000, "9.9e99999 * 0"]
)
def test_a_number_beyond_decimal128_is_null_with_a_warning(text: str) -> None:
    tracemalloc.start()
    try:
        result = compile_expression(text).evaluate_with_warnings()
        json_value = to_json_value(result.value)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert json_value is None
    assert result.warnings[0].kind == "INVALID_OPERATION"
    assert "out of range" in result.warnings[0].message
    assert peak < 5_000_000  # the exponent is never expanded into digits (it took ~2 GB)


def test_numbers_within_decimal128() -> None:
    assert compile_expression("1e6144").evaluate() == Decimal("1E+6144")
    assert compile_expression("1e-999999999").evaluate() == 0  # underflows to zero
    # 34 significant digits, rounded half-even
    assert compile_expression("1234567890123456789012345678901234567").evaluate() == Decimal(
        "1.234567890123456789012345678901235E+36"
    )


def test_an_integer_too_long_for_json_fails_instead_of_raising_value_error() -> None:
    with pytest.raises(FeelEvaluationError, match="no JSON form"):
        to_json_value(compile_expression("1e5000").evaluate())
    assert to_json_value(compile_expression("1e4299").evaluate()) == 10**4299
    assert to_json_value(compile_expression("0 * 10 ** 4500").evaluate()) == 0  # 0E+4500


@pytest.mark.parametrize(("text", "position"), [("³", 0), ("1 + ²", 4), ("1e³", 1), ("٣", 0)])
def test_unicode_digits_are_a_syntax_error_with_position(text: str, position: int) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_expression(text)
    assert caught.value.position == position


def test_unicode_digits_inside_names_and_strings_stay_text() -> None:
    assert compile_expression('{a³: "²"}.a³').evaluate() == "²"


def test_variables_are_decimal128_numbers() -> None:
    expression = compile_expression("x")
    result = expression.evaluate_with_warnings({"x": 10**7000})
    assert result.value is None
    assert result.warnings[0].message == (
        "Variable 'x' is not a number FEEL holds (decimal128: finite, below 10^6145)"
    )
    assert expression.evaluate({"x": 10**40 + 1}) == Decimal(
        "1.000000000000000000000000000000000E+40"
    )
    assert expression.evaluate({"x": Decimal("1e999999999")}) is None
    assert expression.evaluate({"x": 12345}) == 12345


@pytest.mark.parametrize(
    "text",
    [
        'number("1e999999999")',
        'number("1e' + "9" * 60 + '")',
        'number("٣")',
        'date("２０２０-01-01")',
        'duration("P٣D")',
        'time("1٠:00:00")',
        'date and time("2020-01-01T1٠:00:00")',
        '@"P٣D"',
    ],
)
def test_text_read_as_a_number_or_temporal_is_decimal128_and_ascii(text: str) -> None:
    result = compile_expression(text).evaluate_with_warnings()
    assert result.value is None
    assert result.warnings


def test_number_of_text_rounds_as_a_literal() -> None:
    assert compile_expression('number("1e-99999999999999")').evaluate() == 0
    assert compile_expression('number("1e5000")').evaluate() == Decimal("1E+5000")
    assert compile_expression('number("1.5")').evaluate() == Decimal("1.5")


def test_a_builtin_beyond_decimal128_says_so() -> None:
    result = compile_expression("modulo(1e6144, 1e-6176)").evaluate_with_warnings()
    assert result.value is None
    assert result.warnings[0].message == (
        "Failed to invoke function 'modulo': the result is not a decimal128 number"
        " (InvalidOperation)"
    )
