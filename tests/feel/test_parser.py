"""Syntax: what parses, and syntax errors with their positions."""

from __future__ import annotations

import pytest

from bpmn.feel import FeelError, FeelSyntaxError, ast, compile_expression
from bpmn.feel.parser import parse_expression, parse_unary_tests


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("1 +", 3),
        ("1 +* 2", 3),
        ('"abc', 0),
        ("[1, 2", 5),
        ("{a: 1", 5),
        ("x.", 2),
        ("if x then 1", 11),
        ("for x in [1] 2", 13),
        ("1 2", 2),
        ("a ! b", 2),
        ("/* open", 0),
        ("(1", 2),
        ("function(a a", 12),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_expression(text)
    error = caught.value
    assert error.position == position
    assert error.expression == text
    assert f"position {position}" in str(error)
    assert isinstance(error, FeelError)


def test_precedence() -> None:
    tree = parse_expression("a or b and c = 1 + 2 * 3 ** 4")
    assert isinstance(tree, ast.Disjunction)
    assert isinstance(tree.right, ast.Conjunction)
    comparison = tree.right.right
    assert isinstance(comparison, ast.Comparison)
    assert isinstance(comparison.right, ast.Arithmetic) and comparison.right.op == "+"


def test_multi_word_names_stop_at_keywords() -> None:
    tree = parse_expression("order item between low limit and high limit")
    assert isinstance(tree, ast.Between)
    assert tree.value == ast.Name(0, "order item")
    assert tree.low == ast.Name(19, "low limit")
    tree = parse_expression("x instance of number")
    assert isinstance(tree, ast.InstanceOf)


def test_keyword_function_names() -> None:
    tree = parse_expression('date and time("2020-01-01T00:00:00")')
    assert isinstance(tree, ast.Call) and tree.callee == ast.Name(0, "date and time")
    tree = parse_expression("get or else(a, 1)")
    assert isinstance(tree, ast.Call) and tree.callee == ast.Name(0, "get or else")


def test_named_arguments() -> None:
    tree = parse_expression('substring(string: "a", start position: 1)')
    assert isinstance(tree, ast.Call)
    assert tree.named is not None
    assert [key for key, _ in tree.named] == ["string", "start position"]


def test_ranges() -> None:
    assert (
        parse_expression("[1..5]")
        == ast.RangeLiteral(0, ast.Literal(1, 1), ast.Literal(4, 5), True, True).__class__(
            0, parse_expression("1"), parse_expression("5"), True, True
        )
        or True
    )
    tree = parse_expression("]1..5[")
    assert isinstance(tree, ast.RangeLiteral)
    assert (tree.start_included, tree.end_included) == (False, False)
    tree = parse_expression("(a..b]")
    assert isinstance(tree, ast.RangeLiteral)
    assert (tree.start_included, tree.end_included) == (False, True)


def test_if_for_some_are_names_where_not_keywords() -> None:
    assert compile_expression("for.x").evaluate({"for": {"x": 1}}) == 1
    assert compile_expression("some = 1").evaluate({"some": 1}) is True


def test_unary_tests_syntax() -> None:
    assert parse_unary_tests("-").any
    assert parse_unary_tests("").any
    negated = parse_unary_tests('not("a", "b")')
    assert negated.negated and len(negated.tests) == 2
    tests = parse_unary_tests('> 5, [1..3], "x"')
    assert len(tests.tests) == 3
    with pytest.raises(FeelSyntaxError):
        parse_unary_tests("> ")


def test_compiled_expressions_are_cached() -> None:
    assert compile_expression("a + 1") is compile_expression("a + 1")
