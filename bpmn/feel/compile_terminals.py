"""Compiling the leaves of a FEEL syntax tree and the literals that build values: constants,
temporal literals, variable names, `?`, and list, context and range literals.
"""

from __future__ import annotations

from typing import Any

from bpmn.feel import ast
from bpmn.feel.compile_functions import BuiltinReference, builtins
from bpmn.feel.compile_types import INPUT_NAME, Compile, Fn, NodeCompiler
from bpmn.feel.errors import FeelEvaluationError
from bpmn.feel.operators import make_range, temporal
from bpmn.feel.scope import MISSING, Env, Scope
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT


def _literal(node: ast.Literal, compile_node: Compile) -> Fn:
    value = node.value

    def literal(env: Env) -> Any:
        return value

    return literal


def _number_out_of_range(node: ast.NumberOutOfRange, compile_node: Compile) -> Fn:
    text = node.text if len(node.text) <= 40 else node.text[:37] + "..."
    message = (
        f"Number '{text}' is out of range: FEEL numbers are decimal128"
        f" (34 digits, magnitude below 10^{FEEL_DECIMAL_CONTEXT.Emax + 1})"
    )

    def number_out_of_range(env: Env) -> Any:
        env.root.warn("INVALID_OPERATION", message)
        return None

    return number_out_of_range


def _temporal_literal(node: ast.TemporalLiteral, compile_node: Compile) -> Fn:
    text = node.text
    parsed: list[Any] = []

    def temporal_literal(env: Env) -> Any:
        if not parsed:
            parsed.append(parse_temporal_literal(text))
        value = parsed[0]
        if value is None:
            env.root.warn("INVALID_TYPE", f'Invalid temporal literal @"{text}"')
        return value

    return temporal_literal


def parse_temporal_literal(text: str) -> Any:
    module = temporal()
    for parser in ("parse_date", "parse_date_time", "parse_time", "parse_duration"):
        try:
            return getattr(module, parser)(text)
        except (ValueError, ArithmeticError, OverflowError):
            continue
    return None


def _name(node: ast.Name, compile_node: Compile) -> Fn:
    name = node.name

    def variable(env: Env) -> Any:
        value = env.lookup(name)
        if value is MISSING:
            if name in builtins():
                return BuiltinReference(name)
            env.root.warn("NO_VARIABLE_FOUND", f"No variable found with name '{name}'")
            return None
        return value

    return variable


def _input_value(node: ast.InputValue, compile_node: Compile) -> Fn:
    def input_value(env: Env) -> Any:
        value = env.lookup(INPUT_NAME)
        if value is MISSING:
            raise FeelEvaluationError(
                "No input value available. '?' can only be used inside a unary-test expression.",
                node.pos,
            )
        return value

    return input_value


def _list(node: ast.ListLiteral, compile_node: Compile) -> Fn:
    items = tuple(compile_node(item) for item in node.items)

    def list_literal(env: Env) -> Any:
        return [item(env) for item in items]

    return list_literal


def _context(node: ast.ContextLiteral, compile_node: Compile) -> Fn:
    entries = tuple((key, compile_node(value)) for key, value in node.entries)

    def context_literal(env: Env) -> Any:
        result: dict[str, Any] = {}
        scope = Scope(env, result)  # later entries see earlier ones
        for key, value in entries:
            result[key] = value(scope)
        return result

    return context_literal


def _range(node: ast.RangeLiteral, compile_node: Compile) -> Fn:
    start = compile_node(node.start) if node.start is not None else None
    end = compile_node(node.end) if node.end is not None else None
    start_included, end_included = node.start_included, node.end_included

    def range_literal(env: Env) -> Any:
        low = start(env) if start is not None else None
        high = end(env) if end is not None else None
        if (start is not None and low is None) or (end is not None and high is None):
            env.root.warn("INVALID_TYPE", "Invalid range definition: a bound is null")
            return None
        return make_range(low, high, start_included, end_included, env)

    return range_literal


COMPILERS: dict[type, NodeCompiler] = {
    ast.Literal: _literal,
    ast.NumberOutOfRange: _number_out_of_range,
    ast.TemporalLiteral: _temporal_literal,
    ast.Name: _name,
    ast.InputValue: _input_value,
    ast.ListLiteral: _list,
    ast.ContextLiteral: _context,
    ast.RangeLiteral: _range,
}
