"""Compiling FEEL operators: arithmetic, comparisons (specialised for `name > number`), `and`,
`or`, `between`, `in`, `instance of` with its type checks, and `if`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bpmn.feel import ast
from bpmn.feel.compile_types import INPUT_NAME, Compile, Fn, NodeCompiler
from bpmn.feel.compile_unary_tests import compile_tests
from bpmn.feel.named_types import is_instance_of_named
from bpmn.feel.operators import (
    ARITHMETIC,
    canonical_type_name,
    describe,
    equality,
    negate,
    ordering,
    type_name,
)
from bpmn.feel.scope import Env, Scope
from bpmn.feel.values import FeelFunction, Range


def _negation(node: ast.Negation, compile_node: Compile) -> Fn:
    operand = compile_node(node.operand)

    def negation(env: Env) -> Any:
        return negate(operand(env), env)

    return negation


def _arithmetic(node: ast.Arithmetic, compile_node: Compile) -> Fn:
    left, right = compile_node(node.left), compile_node(node.right)
    operation = ARITHMETIC[node.op]

    def arithmetic(env: Env) -> Any:
        return operation(left(env), right(env), env)

    return arithmetic


def _comparison(node: ast.Comparison, compile_node: Compile) -> Fn:
    left = compile_node(node.left)
    op = node.op
    if isinstance(node.right, ast.Literal) and type(node.right.value) is Decimal:
        return _compare_with_number(left, op, node.right.value)
    right = compile_node(node.right)
    if op == "=":

        def equal(env: Env) -> Any:
            return equality(left(env), right(env), env)

        return equal
    if op == "!=":

        def not_equal(env: Env) -> Any:
            result = equality(left(env), right(env), env)
            return None if result is None else not result

        return not_equal

    def compare(env: Env) -> Any:
        return ordering(op, left(env), right(env), env)

    return compare


def _compare_with_number(left: Fn, op: str, constant: Decimal) -> Fn:
    """`amount > 100`: the hot shape of gateway conditions."""
    if op == ">":

        def greater(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value > constant
            return ordering(op, value, constant, env)

        return greater
    if op == "<":

        def less(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value < constant
            return ordering(op, value, constant, env)

        return less
    if op == ">=":

        def greater_equal(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value >= constant
            return ordering(op, value, constant, env)

        return greater_equal
    if op == "<=":

        def less_equal(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value <= constant
            return ordering(op, value, constant, env)

        return less_equal
    if op == "=":

        def equal(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value == constant
            return equality(value, constant, env)

        return equal

    def not_equal(env: Env) -> Any:
        value = left(env)
        if type(value) is Decimal:
            return value != constant
        result = equality(value, constant, env)
        return None if result is None else not result

    return not_equal


def _boolean_operand(value: Any, env: Env, op: str) -> bool | None:
    if value is True or value is False:
        return value
    if value is not None:
        env.root.warn("INVALID_TYPE", f"Expected boolean but found {describe(value)} in '{op}'")
    return None


def _conjunction(node: ast.Conjunction, compile_node: Compile) -> Fn:
    left, right = compile_node(node.left), compile_node(node.right)

    def conjunction(env: Env) -> Any:
        first = left(env)
        if first is False:
            return False
        second = right(env)
        if second is False:
            return False
        if first is True and second is True:
            return True
        _boolean_operand(first, env, "and")
        _boolean_operand(second, env, "and")
        return None

    return conjunction


def _disjunction(node: ast.Disjunction, compile_node: Compile) -> Fn:
    left, right = compile_node(node.left), compile_node(node.right)

    def disjunction(env: Env) -> Any:
        first = left(env)
        if first is True:
            return True
        second = right(env)
        if second is True:
            return True
        if first is False and second is False:
            return False
        _boolean_operand(first, env, "or")
        _boolean_operand(second, env, "or")
        return None

    return disjunction


def _between(node: ast.Between, compile_node: Compile) -> Fn:
    value, low, high = compile_node(node.value), compile_node(node.low), compile_node(node.high)

    def between(env: Env) -> Any:
        subject = value(env)
        lower = ordering(">=", subject, low(env), env)
        if lower is False:
            return False
        upper = ordering("<=", subject, high(env), env)
        if upper is False:
            return False
        if lower is True and upper is True:
            return True
        return None

    return between


def _in(node: ast.In, compile_node: Compile) -> Fn:
    value = compile_node(node.value)
    tests = compile_tests(node.tests, compile_node)

    def in_(env: Env) -> Any:
        subject = value(env)
        return tests(Scope(env, {INPUT_NAME: subject}), subject)

    return in_


def _instance_of(node: ast.InstanceOf, compile_node: Compile) -> Fn:
    value = compile_node(node.value)
    check = type_check(node.type)

    def instance_of(env: Env) -> Any:
        return check(value(env))

    return instance_of


_SIMPLE_TYPES = frozenset(
    {
        "number",
        "string",
        "boolean",
        "date",
        "time",
        "date and time",
        "years and months duration",
        "days and time duration",
        "list",
        "context",
        "function",
        "range",
    }
)


def type_check(spec: ast.TypeSpec) -> Callable[[Any], bool]:
    name = canonical_type_name(spec.name)
    if name == "Any":
        return lambda value: value is not None
    if name in ("Null", "null"):
        return lambda value: value is None
    if name == "list" and spec.args:
        element = type_check(spec.args[0])
        return lambda value: (
            isinstance(value, list) and all(item is None or element(item) for item in value)
        )
    if name == "range" and spec.args:
        element = type_check(spec.args[0])
        return lambda value: (
            isinstance(value, Range)
            and all(bound is None or element(bound) for bound in (value.start, value.end))
        )
    if name == "context" and spec.fields:
        fields = tuple((key, type_check(field)) for key, field in spec.fields)
        return lambda value: (
            isinstance(value, dict)
            and all(
                key in value and (value[key] is None or check(value[key])) for key, check in fields
            )
        )
    if name == "function" and (spec.args or spec.result is not None):
        arity = len(spec.args)
        return lambda value: (
            (isinstance(value, FeelFunction) and len(value.params) == arity)
            or (callable(value) and not isinstance(value, FeelFunction))
        )
    if name not in _SIMPLE_TYPES:
        named = spec.name  # perhaps a type of the DMN model around the expression
        return lambda value: is_instance_of_named(named, value)
    return lambda value: value is not None and type_name(value) == name


def _if(node: ast.If, compile_node: Compile) -> Fn:
    condition, then, otherwise = (
        compile_node(node.condition),
        compile_node(node.then),
        compile_node(node.otherwise),
    )

    def if_(env: Env) -> Any:
        result = condition(env)
        if result is True:
            return then(env)
        if result is not False and result is not None:
            env.root.warn("INVALID_TYPE", f"Expected boolean but found {describe(result)} in 'if'")
        return otherwise(env)

    return if_


COMPILERS: dict[type, NodeCompiler] = {
    ast.Negation: _negation,
    ast.Arithmetic: _arithmetic,
    ast.Comparison: _comparison,
    ast.Conjunction: _conjunction,
    ast.Disjunction: _disjunction,
    ast.Between: _between,
    ast.In: _in,
    ast.InstanceOf: _instance_of,
    ast.If: _if,
}
