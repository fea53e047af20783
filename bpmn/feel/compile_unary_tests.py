"""Compiling FEEL unary tests (`< 10`, `[1..5]`, `"a", "b"`) into closures that test an input
value, as feel-scala's UnaryTestExpression does; also the right-hand side of `x in ...`.
"""

from __future__ import annotations

from typing import Any

from bpmn.feel import ast
from bpmn.feel.compile_types import Compile, TestFn
from bpmn.feel.operators import describe, equality, equals, in_range
from bpmn.feel.scope import Env
from bpmn.feel.values import Range


def compile_test(test: ast.UnaryTest, compile_node: Compile) -> TestFn:
    """One positive unary test as feel-scala's UnaryTestExpression evaluates it."""
    if test.literal_boolean:
        expected = test.test.value if isinstance(test.test, ast.Literal) else None

        def literal_boolean(env: Env, subject: Any) -> bool | None:
            return equality(subject, expected, env)

        return literal_boolean
    expression = compile_node(test.test)
    if test.op == "=":

        def equal(env: Env, subject: Any) -> bool | None:
            return equality(subject, expression(env), env)

        return equal
    if test.op == "!=":

        def not_equal(env: Env, subject: Any) -> bool | None:
            result = equality(subject, expression(env), env)
            return None if result is None else not result

        return not_equal
    is_range = isinstance(test.test, ast.RangeLiteral)

    def positive_test(env: Env, subject: Any) -> bool | None:
        result = expression(env)
        if result is True:
            return True
        if type(result) is Range:
            return in_range(subject, result, env)
        if result is None and is_range:
            return None  # an invalid range (a null bound) decides nothing
        if type(result) is list:
            env.root.count(len(result))
            if any(
                (in_range(subject, item, env) if type(item) is Range else equals(subject, item))
                is True
                for item in result
            ):
                return True
        if result is False:
            return equals(subject, False) is True or False
        equal = equals(subject, result)
        if equal is True:
            return True
        if type(result) is list:
            return False
        if equal is None:
            env.root.warn(
                "NOT_COMPARABLE", f"Can't compare {describe(subject)} with {describe(result)}"
            )
            return None
        return False

    return positive_test


def compile_tests(tests: tuple[ast.UnaryTest, ...], compile_node: Compile) -> TestFn:
    """Positive unary tests joined by `,`: true if one is true, else null if one is null."""
    compiled = tuple(compile_test(test, compile_node) for test in tests)
    if len(compiled) == 1:
        return compiled[0]

    def at_least_one(env: Env, subject: Any) -> bool | None:
        undecided = False
        for test in compiled:
            result = test(env, subject)
            if result is True:
                return True
            if result is None:
                undecided = True
        return None if undecided else False

    return at_least_one
