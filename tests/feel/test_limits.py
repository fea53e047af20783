"""Hostile input fails fast with a FeelError instead of hanging or crashing the partition."""

from __future__ import annotations

import time

import pytest

from bpmn.feel import FeelError, FeelEvaluationError, FeelSyntaxError, compile_expression, evaluate
from bpmn.feel.limits import MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "1" + ")" * 10_000,
        "[" * 10_000 + "]" * 10_000,
        "{a:" * 10_000 + "1" + "}" * 10_000,
        "-" * 10_000 + "1",
        "if true then " * 2_000 + "1" + " else 1" * 2_000,
        "f(" * 10_000 + ")" * 10_000,
    ],
)
def test_deep_nesting_is_a_syntax_error(text: str) -> None:
    with pytest.raises(FeelSyntaxError, match="nested"):
        compile_expression(text)


def test_nesting_within_the_limit_works() -> None:
    depth = MAX_NESTING_DEPTH - 2
    assert evaluate("(" * depth + "1" + ")" * depth) == 1


def test_overlong_expression() -> None:
    with pytest.raises(FeelSyntaxError, match="longer than"):
        compile_expression("1" + " " * MAX_EXPRESSION_LENGTH)


@pytest.mark.parametrize(
    "text",
    [
        "for i in 1..1000000000 return i",
        "for i in 1..100000, j in 1..100000 return i",
        "for i in [1..1000000000] return i",
        "some i in 1..1000000000 satisfies i < 0",
        "count(for i in 1..50000 return for j in 1..50000 return j)",
        "for i in 1..3000 return partial",
    ],
)
def test_huge_iterations_fail_fast(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(FeelEvaluationError, match="limit"):
        evaluate(text)
    assert time.monotonic() - start < 30  # fails, and does not hang; a generous ceiling


def test_string_growth_is_bounded() -> None:
    expression = "{s: " + '"' + "x" * 1000 + '"' + ", t: " + " + ".join(["s"] * 10) + "}"
    assert len(evaluate(expression)["t"]) == 10_000
    doubling = "for i in 1..30 return " + "{}".format(
        'string join(for j in 1..100000 return "xxxxxxxxxx")'
    )
    with pytest.raises(FeelError):
        evaluate(doubling)


def test_recursion_is_bounded() -> None:
    with pytest.raises(FeelEvaluationError, match="nested"):
        evaluate("{f: function(n) f(n + 1), r: f(0)}.r")


def test_deeply_nested_variables() -> None:
    value: object = 1
    for _ in range(5_000):
        value = [value]
    with pytest.raises(FeelEvaluationError):
        evaluate("x", {"x": value})
