"""Compiling FEEL iteration: `a..b` ranges, `for` (with `partial`) and `some` / `every`, over
the cartesian product of their iterators within the list size limit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from bpmn.feel import ast
from bpmn.feel.compile_types import Compile, Fn, NodeCompiler
from bpmn.feel.errors import FeelEvaluationError
from bpmn.feel.limits import MAX_LIST_SIZE
from bpmn.feel.operators import describe
from bpmn.feel.scope import Env, Scope
from bpmn.feel.values import Range


def _iteration_range(node: ast.IterationRange, compile_node: Compile) -> Fn:
    start, end = compile_node(node.start), compile_node(node.end)

    def iteration_range(env: Env) -> Any:
        low, high = start(env), end(env)
        if type(low) is datetime.date and type(high) is datetime.date:
            days = abs((high - low).days) + 1
            if days > MAX_LIST_SIZE:
                raise FeelEvaluationError(
                    f"range exceeds the limit of {MAX_LIST_SIZE} elements", node.pos
                )
            direction = 1 if high >= low else -1
            return [low + datetime.timedelta(days=direction * i) for i in range(days)]
        if type(low) is not Decimal or type(high) is not Decimal:
            env.root.warn(
                "INVALID_TYPE",
                f"Expected numbers for the range {describe(low)}..{describe(high)}",
            )
            return None
        count = abs(high - low) + 1
        if count > MAX_LIST_SIZE:
            raise FeelEvaluationError(
                f"range {low}..{high} exceeds the limit of {MAX_LIST_SIZE} elements", node.pos
            )
        step = 1 if high >= low else -1
        return [low + step * i for i in range(int(count))]

    return iteration_range


def _domains(
    iterators: tuple[tuple[str, ast.Node], ...], compile_node: Compile
) -> tuple[tuple[str, Fn], ...]:
    return tuple((name, compile_node(domain)) for name, domain in iterators)


def _iterate(
    env: Env, domains: tuple[tuple[str, Fn], ...], pos: int
) -> list[dict[str, Any]] | None:
    """The cartesian product of the iterators' lists as variable bindings; None when a domain is
    not a list. Later iterators may refer to earlier ones (`for x in xs, y in x.items`)."""
    bindings: list[dict[str, Any]] = [{}]
    for name, domain in domains:
        expanded: list[dict[str, Any]] = []
        for binding in bindings:
            scope = Scope(env, binding) if binding else env
            values = domain(scope)
            if isinstance(values, Range):
                values = _range_items(values, env, pos)
            if not isinstance(values, list):
                env.root.warn(
                    "INVALID_TYPE", f"Expected list but found {describe(values)} to iterate"
                )
                return None
            env.root.count(len(values))
            if len(expanded) + len(values) > MAX_LIST_SIZE:
                raise FeelEvaluationError(
                    f"iteration exceeds the limit of {MAX_LIST_SIZE} elements", pos
                )
            for value in values:
                item = dict(binding)
                item[name] = value
                expanded.append(item)
        bindings = expanded
    return bindings


def _range_items(range_: Range, env: Env, pos: int) -> Any:
    """Iterating a range of integers, as DMN 1.4 allows (`for i in [1..3]`)."""
    start, end = range_.start, range_.end
    if (
        type(start) is not Decimal
        or type(end) is not Decimal
        or start != start.to_integral_value()
        or end != end.to_integral_value()
    ):
        return range_
    low = int(start) if range_.start_included else int(start) + 1
    high = int(end) if range_.end_included else int(end) - 1
    if high < low:
        env.root.warn("INVALID_TYPE", f"Can't iterate over a descending range {describe(range_)}")
        return None
    if high - low + 1 > MAX_LIST_SIZE:
        raise FeelEvaluationError(f"range exceeds the limit of {MAX_LIST_SIZE} elements", pos)
    return [Decimal(i) for i in range(low, high + 1)]


def _uses_name(node: Any, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.name == name
    if isinstance(node, (ast.Node, ast.TypeSpec)):
        return any(_uses_name(getattr(node, slot), name) for slot in _slots(type(node)))
    if isinstance(node, tuple):
        return any(_uses_name(item, name) for item in node)
    return False


def _slots(cls: type) -> tuple[str, ...]:
    slots: list[str] = []
    for klass in cls.__mro__:
        slots.extend(getattr(klass, "__slots__", ()))
    return tuple(slots)


def _for(node: ast.For, compile_node: Compile) -> Fn:
    domains = _domains(node.iterators, compile_node)
    body = compile_node(node.body)
    weight = ast.node_count(node.body)
    uses_partial = _uses_name(node.body, "partial")
    pos = node.pos

    def for_(env: Env) -> Any:
        bindings = _iterate(env, domains, pos)
        if bindings is None:
            return None
        root = env.root
        root.count(len(bindings) * weight)
        results: list[Any] = []
        for binding in bindings:
            if uses_partial:
                root.count(len(results))
                binding["partial"] = list(results)
            results.append(body(Scope(env, binding)))
        return results

    return for_


def _quantified(node: ast.Quantified, compile_node: Compile) -> Fn:
    domains = _domains(node.iterators, compile_node)
    condition = compile_node(node.condition)
    weight = ast.node_count(node.condition)
    every = node.every
    pos = node.pos

    def quantified(env: Env) -> Any:
        bindings = _iterate(env, domains, pos)
        if bindings is None:
            return None
        env.root.count(len(bindings) * weight)
        undecided = False
        for binding in bindings:
            result = condition(Scope(env, binding))
            if result is (not every):
                return result
            if result is not every:
                undecided = True
        return None if undecided else every

    return quantified


COMPILERS: dict[type, NodeCompiler] = {
    ast.IterationRange: _iteration_range,
    ast.For: _for,
    ast.Quantified: _quantified,
}
