"""The public API others code against: bpmn.feel."""

from __future__ import annotations

import datetime
import json
import threading
from decimal import Decimal

import pytest

import bpmn.feel as feel
from bpmn.feel import (
    CompiledExpression,
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    Range,
    compile_expression,
    compile_unary_tests,
    evaluate,
    to_feel_value,
    to_json_value,
)


def test_exports() -> None:
    for name in (
        "FeelError",
        "FeelSyntaxError",
        "FeelEvaluationError",
        "compile_expression",
        "evaluate",
        "compile_unary_tests",
        "to_json_value",
    ):
        assert hasattr(feel, name)
    assert issubclass(FeelSyntaxError, FeelError)
    assert issubclass(FeelEvaluationError, FeelError)


def test_compile_then_evaluate_many_times() -> None:
    compiled = compile_expression("amount > 100")
    assert isinstance(compiled, CompiledExpression)
    assert compiled.evaluate({"amount": 150}) is True
    assert compiled.evaluate({"amount": 50}) is False
    assert compiled.evaluate({}) is None
    assert compiled.evaluate(None) is None


def test_evaluate_without_variables() -> None:
    assert evaluate("1 + 1") == Decimal(2)


def test_error_attributes() -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        compile_expression("a +")
    assert caught.value.message == "unexpected end of expression"
    assert caught.value.position == 3
    assert caught.value.expression == "a +"
    with pytest.raises(FeelEvaluationError) as failed:
        evaluate("assert(x, x != null)")
    assert failed.value.expression == "assert(x, x != null)"


def test_null_result_is_not_a_failure() -> None:
    result = compile_expression("x.y").evaluate_with_warnings({"x": {}})
    assert result.value is None
    assert result.warnings[0].kind == "NO_CONTEXT_ENTRY_FOUND"


def test_to_feel_value() -> None:
    assert to_feel_value({"a": [1, 2.5, None, True]}) == {
        "a": [Decimal(1), Decimal("2.5"), None, True]
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal(3), 3),
        (Decimal("3.0"), 3),
        (Decimal("2.5"), 2.5),
        (Decimal("1E+40"), 10**40),
        (None, None),
        ("s", "s"),
        (True, True),
        ([Decimal(1), {"a": Decimal("0.5")}], [1, {"a": 0.5}]),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (Range(Decimal(1), Decimal(10), True, False), "[1..10)"),
    ],
)
def test_to_json_value(value: object, expected: object) -> None:
    assert to_json_value(value) == expected


def test_to_json_value_of_temporals_is_iso() -> None:
    values = evaluate('[@"2024-01-02T10:00:00", @"P1Y2M", @"PT1H", @"10:30:00"]')
    converted = to_json_value(values)
    json.dumps(converted)
    assert converted == ["2024-01-02T10:00:00", "P1Y2M", "PT1H", "10:30:00"]
    assert to_json_value(evaluate("function(a) a")) is None


def test_unary_tests_api() -> None:
    tests = compile_unary_tests("[1..10]")
    assert tests.matches(5, {}) is True
    assert tests.matches(11, None) is False


def test_thread_safety_of_a_compiled_expression() -> None:
    compiled = compile_expression("for i in 1..100 return i * x")
    errors: list[BaseException] = []

    def work(x: int) -> None:
        try:
            for _ in range(50):
                result = compiled.evaluate({"x": x})
                assert result[-1] == Decimal(100 * x)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(x,)) for x in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


def test_expressions_cannot_reach_python() -> None:
    for text in ('__import__("os")', "x.__class__", "().__class__", 'exec("1")'):
        try:
            result = evaluate(text, {"x": 1})
        except FeelError:
            continue
        assert result is None


def test_a_defect_becomes_an_evaluation_error() -> None:
    class Broken(dict[str, object]):
        def get(self, key: str, default: object = None) -> object:
            raise RuntimeError("storage failed")

    with pytest.raises(FeelEvaluationError, match="internal error: RuntimeError"):
        compile_expression("x + 1").evaluate(Broken())
