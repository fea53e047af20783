import datetime as dt
from decimal import Decimal

import pytest

from bpmn.feel.builtins import BUILTINS, FeelAssertionError
from bpmn.feel.builtins.clock import use_clock
from bpmn.feel.temporal import parse_date, parse_duration
from bpmn.feel.values import Range
from tests.feel_library.conftest import call, num

N = [num(n) for n in range(11)]


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("list contains", ([N[1], None], None), True),
        ("count", ([N[1], N[2]],), N[2]),
        ("min", (N[3], N[1], N[2]), N[1]),
        ("min", ([N[3], N[1]],), N[1]),
        ("max", (["a", "c", "b"],), "c"),
        ("min", ([],), None),
        ("sum", ([num("0.1"), num("0.2")],), num("0.3")),
        ("sum", ([],), None),
        ("product", (N[2], N[3], N[4]), num(24)),
        ("mean", ([N[1], N[2], N[3], N[4]],), num("2.5")),
        ("median", ([N[8], N[2], N[5], N[3], N[4]],), N[4]),
        ("median", ([N[6], N[1], N[2], N[3]],), num("2.5")),
        ("mode", ([N[6], N[3], N[9], N[6], N[6]],), [N[6]]),
        ("mode", ([N[6], N[1], N[9], N[6], N[1]],), [N[1], N[6]]),
        ("all", ([True, False, None],), False),
        ("all", ([True, None],), None),
        ("all", ([],), True),
        ("any", ([False, None, True],), True),
        ("any", ([False, N[0]],), None),
        ("sublist", ([N[4], N[5], N[6]], N[1], N[2]), [N[4], N[5]]),
        ("sublist", ([N[4], N[5], N[6]], num(-2)), [N[5], N[6]]),
        ("append", ([N[1]], N[2], N[3]), [N[1], N[2], N[3]]),
        ("concatenate", ([N[1], N[2]], [N[3]]), [N[1], N[2], N[3]]),
        ("insert before", ([N[1], N[3]], N[2], N[2]), [N[1], N[2], N[3]]),
        ("remove", ([N[1], N[2], N[3]], N[2]), [N[1], N[3]]),
        ("reverse", ([N[1], N[2]],), [N[2], N[1]]),
        ("index of", ([N[1], N[2], N[3], N[2]], N[2]), [N[2], N[4]]),
        ("union", ([N[1], N[2]], [N[2], N[3]]), [N[1], N[2], N[3]]),
        ("distinct values", ([N[1], N[2], N[1], num("1.0")],), [N[1], N[2]]),
        ("duplicate values", ([N[1], N[2], N[1], N[3], N[2]],), [N[1], N[2]]),
        ("flatten", ([[N[1], [N[2]]], [[N[3]]], N[4]],), [N[1], N[2], N[3], N[4]]),
        ("string join", (["a", None, "c"], ", "), "a, c"),
        ("string join", (["a", "b"], "-", "[", "]"), "[a-b]"),
        ("string join", ("a", "X"), "a"),
        ("is empty", ([],), True),
        ("partition", ([N[1], N[2], N[3]], N[2]), [[N[1], N[2]], [N[3]]]),
        ("list replace", ([N[1], N[2]], N[2], N[9]), [N[1], N[9]]),
    ],
)
def test_list_functions(name: str, args: tuple[object, ...], expected: object) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("min", ([N[1], "a"],)),
        ("sum", ([N[1], "a"],)),
        ("stddev", ([N[4]],)),
        ("sublist", ([N[1]], N[0])),
        ("remove", ([N[1]], N[5])),
        ("partition", ([N[1]], N[0])),
        ("string join", ([N[1]],)),
        ("count", (None,)),
    ],
)
def test_invalid_list_arguments_give_null(name: str, args: tuple[object, ...]) -> None:
    assert call(name, *args) is None


def test_stddev_is_the_sample_deviation() -> None:
    assert str(call("stddev", [N[2], N[4], N[7], N[5]])).startswith("2.0816659994661")


def test_sort_with_a_precedes_function() -> None:
    assert call("sort", [N[3], N[1], N[2]], lambda x, y: x > y) == [N[3], N[2], N[1]]
    assert call("sort", [N[3], N[1]], lambda x, y: None) is None


def test_context_functions() -> None:
    ctx = {"a": N[1], "b": {"c": N[2]}}
    assert call("get value", ctx, "a") == N[1]
    assert call("get value", ctx, ["b", "c"]) == N[2]
    assert call("get value", ctx, "zz") is None
    assert call("get entries", {"a": N[1]}) == [{"key": "a", "value": N[1]}]
    assert call("context put", ctx, "a", N[5]) == {"a": N[5], "b": {"c": N[2]}}
    assert call("context put", ctx, ["b", "d", "e"], N[3]) == {
        "a": N[1],
        "b": {"c": N[2], "d": {"e": N[3]}},
    }
    assert ctx == {"a": N[1], "b": {"c": N[2]}}, "inputs are never changed"
    assert call("context merge", [{"a": N[1]}, {"a": N[2], "b": N[3]}]) == {"a": N[2], "b": N[3]}
    assert call("context", [{"key": "a", "value": N[1]}]) == {"a": N[1]}
    assert call("context", [{"key": "a", "value": N[1]}, {"key": "a", "value": N[2]}]) is None
    assert call("context", [{"value": N[1]}]) is None


def test_boolean_functions() -> None:
    assert call("not", True) is False
    assert call("not", N[1]) is None
    assert call("get or else", None, "x") == "x"
    assert call("is defined", None) is False
    assert call("assert", N[1], True) == N[1]
    with pytest.raises(FeelAssertionError, match="too big"):
        call("assert", N[1], False, "too big")


def r(start: object, end: object, start_included: bool = True, end_included: bool = True) -> Range:
    return Range(start, end, start_included, end_included)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("before", (N[1], N[10]), True),
        ("before", (N[1], r(N[1], N[10], False)), True),
        ("before", (r(N[1], N[5]), r(N[5], N[8])), False),
        ("before", (r(N[1], N[5], True, False), r(N[5], N[8])), True),
        ("after", (r(N[5], N[8]), N[1]), True),
        ("meets", (r(N[1], N[5]), r(N[5], N[8])), True),
        ("met by", (r(N[5], N[8]), r(N[1], N[5])), True),
        ("overlaps", (r(N[1], N[5]), r(N[3], N[8])), True),
        ("overlaps", (r(N[1], N[5], True, False), r(N[5], N[8])), False),
        ("overlaps before", (r(N[1], N[5]), r(N[3], N[8])), True),
        ("overlaps after", (r(N[3], N[8]), r(N[1], N[5])), True),
        ("finishes", (N[5], r(N[1], N[5])), True),
        ("finished by", (r(N[1], N[5]), N[5]), True),
        ("includes", (r(N[1], N[5]), N[3]), True),
        ("includes", (r(N[1], None), N[9]), True),
        ("during", (r(N[2], N[3]), r(N[1], N[5])), True),
        ("starts", (N[1], r(N[1], N[5])), True),
        ("started by", (r(N[1], N[5]), r(N[1], N[3])), True),
        ("coincides", (r(N[1], N[5]), r(N[1], N[5])), True),
        ("coincides", (N[1], N[2]), False),
        ("before", (parse_date("2020-01-01"), parse_date("2020-01-02")), True),
        ("includes", (N[1], N[2]), None),
        ("before", (N[1], "a"), None),
    ],
)
def test_range_functions(name: str, args: tuple[object, ...], expected: object) -> None:
    assert call(name, *args) == expected


def test_range_from_string() -> None:
    assert call("range", "[18..21)") == r(N[0] + 18, num(21), True, False)
    assert call("range", '[@"2020-01-01"..@"2020-02-01"]') == r(
        parse_date("2020-01-01"), parse_date("2020-02-01")
    )
    assert call("range", "[..") is None


@pytest.mark.parametrize(
    "text", ["[..2]", "[1..]", '[1.."b"]', '[@"2020-01-01"..@"2020-01-02T00:00:00"]', "[3..1]"]
)
def test_range_from_string_needs_two_ascending_end_points_of_one_type(text: str) -> None:
    # DMN 1.5 10.3.4.8, as the DMN TCK checks it
    assert call("range", text) is None


def test_is_requires_the_same_type() -> None:
    assert call("is", N[1], num("1.0")) is True
    assert call("is", parse_date("2020-01-01"), dt.datetime(2020, 1, 1)) is False


def test_now_and_today_read_the_engine_clock() -> None:
    instant = dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.UTC)
    with use_clock(instant):
        assert call("now") == instant
        assert call("today") == dt.date(2024, 2, 29)


def test_calendar_functions() -> None:
    date = parse_date("2019-09-17")
    assert call("day of year", date) == num(260)
    assert call("day of week", date) == "Tuesday"
    assert call("month of year", date) == "September"
    assert call("week of year", parse_date("2021-01-03")) == num(53)
    assert call("last day of month", parse_date("2024-02-10")) == parse_date("2024-02-29")
    assert call("years and months duration", date, parse_date("2020-08-16")) == parse_duration(
        "P10M"
    )


def test_every_documented_function_is_there() -> None:
    documented = {
        "date", "date and time", "time", "number", "string", "duration",
        "years and months duration", "from json", "to json", "not", "is defined",
        "get or else", "assert", "substring", "string length", "upper case", "lower case",
        "substring before", "substring after", "replace", "contains", "starts with",
        "ends with", "matches", "split", "extract", "trim", "uuid", "to base64",
        "from base64", "is blank", "list contains", "count", "min", "max", "sum", "product",
        "mean", "median", "stddev", "mode", "and", "all", "or", "any", "sublist", "append",
        "concatenate", "insert before", "remove", "reverse", "index of", "union",
        "distinct values", "duplicate values", "flatten", "sort", "string join", "is empty",
        "partition", "list replace", "decimal", "floor", "ceiling", "round up", "round down",
        "round half up", "round half down", "abs", "modulo", "sqrt", "log", "exp", "odd",
        "even", "random number", "get value", "get entries", "context put", "context merge",
        "context", "before", "after", "meets", "met by", "overlaps", "overlaps before",
        "overlaps after", "finishes", "finished by", "includes", "during", "starts",
        "started by", "coincides", "now", "today", "day of year", "day of week",
        "month of year", "week of year", "last day of month", "is", "range",
    }  # fmt: skip
    assert documented <= set(BUILTINS)
    assert isinstance(call("random number"), Decimal)
