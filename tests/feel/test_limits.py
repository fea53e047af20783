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


def test_function_calls_count_towards_the_budget() -> None:
    # 2^31 calls, each well within the nesting limit: it ran for minutes
    with pytest.raises(FeelEvaluationError, match="limit of 1000000 steps"):
        evaluate("{f: function(n) if n = 0 then 0 else f(n-1) + f(n-1), r: f(30)}.r")
    assert evaluate("{f: function(n) if n = 0 then 0 else f(n-1) + f(n-1), r: f(10)}.r") == 0


def test_builtins_count_the_lists_they_handle() -> None:
    big = "{big: for i in 1..100000 return i, r: count(for i in 1..100000 return "
    for body in ("big = big", "i in big", "list contains(big, i)", "count(big)"):
        with pytest.raises(FeelEvaluationError, match="limit of 1000000 steps"):
            evaluate(big + body + ")}.r")


def test_distinct_values_is_linear() -> None:
    # quadratic before: ran for minutes
    assert evaluate("count(distinct values(for i in 1..99999 return [i]))") == 99999
    assert evaluate(
        'distinct values([1, 1.0, true, "1", [1], [1.0], {a: 1}, {a: 1}, null, null])'
    ) == [
        1,
        True,
        "1",
        [1],
        {"a": 1},
        None,
    ]
    assert evaluate("duplicate values([1, 2, 1.0, [3], [3], true, {a: true}, {a: true}])") == [
        1,
        [3],
        {"a": True},
    ]
    assert evaluate('distinct values([@"2024-01-01", @"2024-01-01", @"P1D"])') == evaluate(
        '[@"2024-01-01", @"P1D"]'
    )


def test_a_loop_body_costs_its_size() -> None:
    body = " + ".join(["i"] * 200)
    with pytest.raises(FeelEvaluationError, match="limit of 1000000 steps"):
        evaluate(f"count(for i in 1..10000 return {body})")
    assert evaluate(f"count(for i in 1..1000 return {body})") == 1000


def test_strings_built_count_towards_the_budget() -> None:
    # 100,000 strings of 800,000 characters: 23 GB and minutes before
    with pytest.raises(FeelEvaluationError, match="limit of 1000000 steps"):
        evaluate(
            '{s: string join(for i in 1..40000 return "xxxxxxxxxx"),'
            " r: count(for i in 1..100000 return s + s)}.r"
        )
    assert evaluate('count(for i in 1..1000 return string join(["ab", string(i)]) + "cd")') == 1000


def test_contexts_given_to_builtins_count_towards_the_budget() -> None:
    with pytest.raises(FeelEvaluationError, match="limit of 1000000 steps"):
        evaluate(
            "{m: context(for i in 1..50000 return {key: string(i), value: i}),"
            ' r: count(for i in 1..100000 return context put(m, "x", i))}.r'
        )
