"""Fuzzing FEEL: parsing (grammar-based text, token soup, mutated DMN TCK expressions) and
evaluation with random variables. An input may compile or raise FeelSyntaxError; evaluate
returns a value (null for a type mismatch) or raises FeelEvaluationError, within its budget;
the same input evaluates to the same value twice; no safety net catches a defect."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bpmn.feel import FeelError, compile_expression, compile_unary_tests, to_json_value
from bpmn.feel.formatting import format_value
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import assert_feel_error, saving
from tests.fuzz.seeds import feel_expressions
from tests.fuzz.strategies import feel_text, json_values, mutated_text, token_soup

_SEEDS = feel_expressions()
texts = st.one_of(feel_text, token_soup, st.sampled_from(_SEEDS), mutated_text(_SEEDS))
variables = st.dictionaries(
    st.sampled_from(["x", "y", "items", "a b", "item", "partial", "date", "R Value"]),
    json_values,
    max_size=5,
)
_CLOCK_OR_RANDOM = ("now", "today", "random", "uuid")


def check_compiles(text: str) -> None:
    with saving("feel-parse", text), deadline():
        for compile_text in (compile_expression, compile_unary_tests):
            try:
                compile_text(text)
            except FeelError as error:
                assert_feel_error(error)


def _outcome(text: str, values: dict[str, Any]) -> str:
    """The value as text, or the error's message."""
    try:
        result = compile_expression(text).evaluate_with_warnings(values)
    except FeelError as error:
        assert_feel_error(error)
        return f"error: {error.message}"
    try:
        to_json_value(result.value)
    except FeelError as error:
        assert_feel_error(error)
    for warning in result.warnings:
        assert "internal error" not in warning.message, warning
    return format_value(result.value)


def check_evaluates(text: str, values: dict[str, Any]) -> None:
    try:
        compile_expression(text)
    except FeelError:
        return
    with saving("feel-evaluate", repr((text, values))), deadline():
        first = _outcome(text, values)
        if not any(word in text for word in _CLOCK_OR_RANDOM):
            assert _outcome(text, values) == first, "two evaluations of one input differ"


@fuzz_settings()
@given(texts)
def _parse(text: str) -> None:
    check_compiles(text)


@fuzz_settings()
@given(st.one_of(feel_text, st.sampled_from(_SEEDS), mutated_text(_SEEDS)), variables)
def _evaluate(text: str, values: dict[str, Any]) -> None:
    check_evaluates(text, values)


def test_fuzz_feel_parse() -> None:
    fuzz(_parse)


def test_fuzz_feel_evaluate() -> None:
    fuzz(_evaluate)
