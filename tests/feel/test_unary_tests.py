"""Unary tests, as decision-table input entries use them."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn.feel import FeelEvaluationError, compile_unary_tests


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("-", 5, True),
        ("-", None, True),
        ("> 5", 6, True),
        ("> 5", 5, False),
        (">= 5", 5, True),
        ("< 5", 4, True),
        ("<= 5", 6, False),
        ("[1..10]", 10, True),
        ("(1..10)", 10, False),
        ("]1..10]", 1, False),
        ("5", 5, True),
        ("5", 6, False),
        ('"a", "b"', "b", True),
        ('"a", "b"', "c", False),
        ('not("a", "b")', "c", True),
        ('not("a", "b")', "a", False),
        ("> 5", None, None),
        ("> 5", "x", None),
        ("not(> 5)", None, None),
        ("true", True, True),
        ("true", False, False),
        ("false", False, True),
        ("? > 5", 6, True),
        ("? * 2 = 10", 5, True),
        ("[1, 2, 3]", 2, True),
        ("[1, 2, 3]", 4, False),
        ("count(?) > 1", [1, 2], True),
        ("< limit", 3, True),
        ("= 5", 5, True),
        ("!= 5", 5, False),
        ('"a", > 5', 10, True),
        ('"a", > 5', 1, None),
        ("null", None, True),
        ("< 10, > 20", 25, True),
        ('date("2020-01-01")', "2020-01-01", None),
    ],
)
def test_matches(tests: str, value: Any, expected: bool | None) -> None:
    assert compile_unary_tests(tests).matches(value, {"limit": 5}) is expected


def test_input_symbol_is_bound_only_in_unary_tests() -> None:
    from bpmn.feel import evaluate

    with pytest.raises(FeelEvaluationError):
        evaluate("? > 5")


def test_cached() -> None:
    assert compile_unary_tests("> 1") is compile_unary_tests("> 1")
