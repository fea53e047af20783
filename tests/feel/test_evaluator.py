"""Evaluation of every FEEL construct, with feel-scala's null and decimal semantics."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from bpmn.feel import FeelFunction, Range, compile_expression, evaluate

D = Decimal


def ev(text: str, **variables: Any) -> Any:
    return evaluate(text, variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", D(1)),
        ("-1.5", D("-1.5")),
        (".5", D("0.5")),
        ("1.23e4", D("12300")),
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 / 4", D("2.5")),
        ("2 ** 10", D(1024)),
        ("2 ** -1", D("0.5")),
        ("2 ** 3 ** 2", D(64)),  # left-associative, as in feel-scala
        ("-2 ** 2", D(4)),  # negation binds tighter than ** in feel-scala
        ("7 - 2 - 1", D(4)),
        ("- - 3", D(3)),
        ("1 / 3", D("0.3333333333333333333333333333333333")),
        ("0.1 + 0.2", D("0.3")),
        ('"a" + "b"', "ab"),
        ("null", None),
        ("true", True),
        ("false", False),
    ],
)
def test_literals_and_arithmetic(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_decimal_exactness_and_34_digits() -> None:
    assert ev("0.1 + 0.2 = 0.3") is True
    assert ev("1 / 3 * 3") == D("0.9999999999999999999999999999999999")
    assert ev("12345678901234567890123456789012345 + 0") == D(
        "1.234567890123456789012345678901234E+34"
    )
    big = ev("x * 1", x=D("1.000000000000000000000000000000001"))
    assert big == D("1.000000000000000000000000000000001")
    assert ev("x + y", x=0.1, y=0.2) == D("0.3")  # floats enter through their repr


@pytest.mark.parametrize(
    "text",
    ["1 / 0", '"a" + 1', "1 + null", "null - 1", "true * 2", '-"a"', "10 ** 100000"],
)
def test_invalid_arithmetic_is_null(text: str) -> None:
    assert ev(text) is None


def test_warnings_explain_null() -> None:
    result = compile_expression("x + 1").evaluate_with_warnings({})
    assert result.value is None
    assert [w.kind for w in result.warnings] == ["NO_VARIABLE_FOUND", "INVALID_TYPE"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true and true", True),
        ("true and false", False),
        ("true and null", None),
        ("false and null", False),
        ("null and false", False),
        ("null and null", None),
        ("true and 5", None),
        ("false and 5", False),
        ("true or null", True),
        ("null or true", True),
        ("false or null", None),
        ("false or false", False),
        ("null or null", None),
        ("5 or false", None),
    ],
)
def test_three_valued_logic(text: str, expected: Any) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2", True),
        ("1 >= 2", False),
        ("1 = 1.0", True),
        ("1 != 2", True),
        ('"a" < "b"', True),
        ("null = null", True),
        ("x = null", True),
        ("1 = null", False),
        ("null != 1", True),
        ("1 < null", None),
        ("null > 1", None),
        ('1 = "1"', None),
        ('1 != "1"', None),
        ("true < false", None),
        ("[1, 2] = [1, 2]", True),
        ("[1, 2] = [1, 2, 3]", False),
        ("[1, [2, {a: 3}]] = [1, [2, {a: 3}]]", True),
        ("{a: 1, b: [2]} = {b: [2], a: 1}", True),
        ("{a: 1} = {a: 2}", False),
        ("{a: 1} = {a: 1, b: 2}", False),
        ('[1, "a"] = [1, 2]', False),
        ('date("2020-01-01") < date("2020-01-02")', True),
        ('@"2020-01-01" = date("2020-01-01")', True),
        ("3 between 1 and 5", True),
        ("5 between 1 and 5", True),
        ("6 between 1 and 5", False),
        ("null between 1 and 5", None),
    ],
)
def test_comparison_and_equality(text: str, expected: Any) -> None:
    assert ev(text) is expected


def test_if_then_else() -> None:
    assert ev('if x > 5 then "big" else "small"', x=7) == "big"
    assert ev('if x > 5 then "big" else "small"', x=1) == "small"
    assert ev("if null then 1 else 2") == D(2)  # a non-true condition takes the else branch
    assert ev("if 5 then 1 else 2") == D(2)


def test_strings_and_escapes() -> None:
    assert ev(r'"a\"b"') == 'a"b'
    assert ev(r'"tab\there"') == "tab\there"
    assert ev(r'"line\nbreak"') == "line\nbreak"
    assert ev(r'"\u00e9\U01F600"') == "é😀"
    assert ev(r'"back\\slash"') == "back\\slash"
    assert ev(r'"\d+"') == "\\d+"  # unknown escapes stay (regular expressions need them)


def test_comments() -> None:
    assert ev("1 + /* two */ 2 // the rest\n + 3") == D(6)


def test_lists_filters_and_indices() -> None:
    xs = [1, 2, 3, 4, 5]
    assert ev("xs[item > 3]", xs=xs) == [D(4), D(5)]
    assert ev("xs[1]", xs=xs) == D(1)
    assert ev("xs[-1]", xs=xs) == D(5)
    assert ev("xs[-5]", xs=xs) == D(1)
    assert ev("xs[6]", xs=xs) is None
    assert ev("xs[0]", xs=xs) is None
    assert ev("xs[i]", xs=xs, i=2) == D(2)
    assert ev("[][item > 1]") == []
    assert ev("[1, null, 3][item > 1]") == [D(3)]
    assert ev("[[1, 2], [3]][1][2]") == D(2)


def test_filter_on_contexts_exposes_entries() -> None:
    items = [{"name": "a", "price": 5}, {"name": "b", "price": 15}, {"other": 1}]
    assert ev("items[price > 10].name", items=items) == ["b"]
    assert ev("items[item.price > 1].name", items=items) == ["a", "b"]


def test_paths() -> None:
    variables = {"a": {"b": {"c": 1}}, "xs": [{"v": 1}, {"v": 2}, {"w": 3}]}
    assert evaluate("a.b.c", variables) == D(1)
    assert evaluate("xs.v", variables) == [D(1), D(2), None]  # a path on a list projects
    assert evaluate("a.x", variables) is None
    assert evaluate("missing.b.c", variables) is None
    assert evaluate("{a: 1}.a") == D(1)
    assert evaluate("null.a") is None


def test_contexts() -> None:
    assert ev("{a: 1, b: a + 1}") == {"a": D(1), "b": D(2)}
    assert ev("{a: 1 + 2, b: 3, c: {d: a + b}}") == {"a": D(3), "b": D(3), "c": {"d": D(6)}}
    assert ev('{"a b": 1, "c+d": 2}') == {"a b": D(1), "c+d": D(2)}
    assert ev("{foo bar: 1}") == {"foo bar": D(1)}
    assert ev("{foo+bar: 1}") == {"foo+bar": D(1)}
    assert ev("{}") == {}
    assert ev("{a: {b: 1}}.a.b") == D(1)


def test_names_with_spaces_and_quoted_names() -> None:
    assert ev("order item + 1", **{"order item": 2}) == D(3)
    assert ev("`order-item` * 2", **{"order-item": 2}) == D(4)
    assert ev('{first name: "Ada"}.first name') == "Ada"


def test_for_loops() -> None:
    assert ev("for i in 1..3 return i * 2") == [D(2), D(4), D(6)]
    assert ev("for i in 3..1 return i") == [D(3), D(2), D(1)]
    assert ev("for x in [1, 2], y in [10, 20] return x + y") == [D(11), D(21), D(12), D(22)]
    assert ev("for x in xs return x", xs=[]) == []
    assert ev("for i in 1..4 return if i = 1 then 1 else i * partial[-1]") == [
        D(1),
        D(2),
        D(6),
        D(24),
    ]
    assert ev("for x in null return x") is None
    assert ev('for d in @"2020-01-30"..@"2020-02-01" return d') == [
        datetime.date(2020, 1, 30),
        datetime.date(2020, 1, 31),
        datetime.date(2020, 2, 1),
    ]


def test_quantifiers() -> None:
    assert ev("some x in [1, 2, 3] satisfies x > 2") is True
    assert ev("some x in [1, 2, 3] satisfies x > 3") is False
    assert ev("every x in [1, 2, 3] satisfies x > 0") is True
    assert ev("every x in [1, 2, 3] satisfies x > 1") is False
    assert ev("every x in [] satisfies x > 1") is True
    assert ev("some x in [] satisfies x > 1") is False
    assert ev("some x in [1, null] satisfies x > 1") is None
    assert ev("every x in [1, 2], y in [3] satisfies x < y") is True


def test_in_and_ranges() -> None:
    assert ev("5 in [1..10]") is True
    assert ev("10 in [1..10)") is False
    assert ev("1 in (1..10]") is False
    assert ev("1 in ]1..10]") is False
    assert ev("10 in [1..10[") is False
    assert ev("5 in (1, 5, 7)") is True
    assert ev("5 in (< 3, > 4)") is True
    assert ev("5 in > 4") is True
    assert ev("5 in [1, 2, 5]") is True
    assert ev('"b" in ["a".."c"]') is True
    assert ev("5 in xs", xs=[1, 5]) is True
    assert ev("5 in (null..10]") is None
    assert ev("[1..10]") == Range(D(1), D(10), True, True)
    assert ev("< 5") == Range(None, D(5), False, False)
    assert ev("[1..10].start included") is True
    assert ev("[1..10).end included") is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 instance of number", True),
        ('"a" instance of string', True),
        ("true instance of boolean", True),
        ("null instance of number", False),
        ("null instance of Any", False),
        ("1 instance of Any", True),
        ("[1, 2] instance of list", True),
        ("[1, 2] instance of list<number>", True),
        ('[1, "a"] instance of list<number>', False),
        ("{a: 1} instance of context", True),
        ('{a: 1, b: "x"} instance of context<a: number>', True),
        ('{a: "1"} instance of context<a: number>', False),
        ("(function(a) a) instance of function", True),
        ("(function(a) a) instance of function<number>->number", True),
        ('date("2020-01-01") instance of date', True),
        ('@"2020-01-01T10:00:00" instance of date and time', True),
        ('@"10:00:00" instance of time', True),
        ('@"P1Y" instance of years and months duration', True),
        ('@"P1D" instance of days and time duration', True),
        ("[1..2] instance of range", True),
        ("1 instance of string", False),
    ],
)
def test_instance_of(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_user_functions_and_arguments() -> None:
    assert ev("{add: function(a, b) a + b, r: add(1, 2)}.r") == D(3)
    assert ev("{add: function(a, b) a - b, r: add(b: 1, a: 5)}.r") == D(4)
    assert ev("(function(x) x * x)(4)") == D(16)
    assert ev("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(5)}.r") == D(120)
    assert ev("{f: function(a) a, r: f(1, 2)}.r") is None  # wrong arity: null
    assert isinstance(ev("function(a, b) a + b"), FeelFunction)
    closure = ev("{k: 10, f: function(x) x + k}.f")
    assert closure(D(1)) == D(11)


def test_builtins_positional_and_named() -> None:
    assert ev('string length("abc")') == D(3)
    assert ev('substring("abcdef", 2, 3)') == "bcd"
    assert ev('substring(string: "abcdef", start position: 3)') == "cdef"
    assert ev("sum([1, 2, 3])") == D(6)
    assert ev("sum(1, 2, 3)") == D(6)
    assert ev('date and time("2020-01-01T10:00:00").hour') == D(10)
    assert ev("sort([3, 1, 2], function(x, y) x < y)") == [D(1), D(2), D(3)]
    assert ev("no such fn(1)") is None  # null plus a warning, as in feel-scala


def test_temporal_literals_and_properties() -> None:
    assert ev('@"2020-01-01"') == datetime.date(2020, 1, 1)
    assert ev('@"2020-03-04".month') == D(3)
    assert ev('date("2020-03-04").year') == D(2020)
    assert ev('@"2020-01-01".nonsense') is None
    assert ev('@"not a date"') is None
    assert ev('@"2020-01-01" + @"P1D"') == datetime.date(2020, 1, 2)
    assert ev("d.day", d=datetime.date(2021, 5, 6)) == D(6)


def test_missing_variables_are_null() -> None:
    assert ev("x") is None
    assert ev("x > 5") is None
    assert ev("x.y.z") is None
    assert ev("x = null") is True


def test_variables_are_converted() -> None:
    assert ev("a", a=1) == D(1)
    assert ev("a", a=1.5) == D("1.5")
    assert ev("a", a=(1, 2)) == [D(1), D(2)]
    assert ev("a.b", a={"b": [True]}) == [True]
    assert ev("a", a=float("nan")) is None
