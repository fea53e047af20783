"""Compiling FEEL paths and filters: `a.b` on contexts, lists, ranges and temporal values, and
`xs[condition]` or `xs[index]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bpmn.feel import ast
from bpmn.feel.compile_types import Compile, Fn, NodeCompiler
from bpmn.feel.operators import describe, is_temporal, temporal
from bpmn.feel.scope import MISSING, Env, Scope
from bpmn.feel.values import Range


def _path(node: ast.Path, compile_node: Compile) -> Fn:
    base = compile_node(node.base)
    key = node.key

    def path(env: Env) -> Any:
        value = base(env)
        if type(value) is dict:
            result = value.get(key, MISSING)
            if result is MISSING:
                return _missing_entry(value, key, env)
            return result
        return path_value(value, key, env)

    return path


def _missing_entry(context: Mapping[str, Any], key: str, env: Env) -> None:
    keys = ", ".join(f"'{name}'" for name in list(context)[:10])
    detail = f"Available keys: {keys}" if keys else "The context is empty"
    env.root.warn("NO_CONTEXT_ENTRY_FOUND", f"No context entry found with key '{key}'. {detail}")
    return None


_RANGE_PROPERTIES = {
    "start": lambda r: r.start,
    "end": lambda r: r.end,
    "start included": lambda r: r.start_included,
    "end included": lambda r: r.end_included,
}


def path_value(value: Any, key: str, env: Env) -> Any:
    if type(value) is dict:
        result = value.get(key, MISSING)
        return _missing_entry(value, key, env) if result is MISSING else result
    if type(value) is list:
        env.root.count(len(value))
        return [path_value(item, key, env) for item in value]
    if value is None:
        env.root.warn(
            "NO_CONTEXT_ENTRY_FOUND",
            f"No context entry found with key '{key}'. The context is null",
        )
        return None
    if type(value) is Range:
        getter = _RANGE_PROPERTIES.get(key)
        if getter is not None:
            return getter(value)
    elif is_temporal(value):
        try:
            return temporal().temporal_property(value, key)
        except (KeyError, AttributeError, ValueError):
            pass
    env.root.warn(
        "NO_PROPERTY_FOUND", f"No property found with name '{key}' of value {describe(value)}"
    )
    return None


def _filter(node: ast.Filter, compile_node: Compile) -> Fn:
    base = compile_node(node.base)
    condition_node = node.condition
    if isinstance(condition_node, ast.Literal) and type(condition_node.value) is Decimal:
        index = condition_node.value

        def index_filter(env: Env) -> Any:
            items = base(env)
            if not isinstance(items, list):
                items = _as_list(items, env)
                if items is None:
                    return None
            return _item_at(items, index, env)

        return index_filter

    condition = compile_node(condition_node)
    weight = ast.node_count(condition_node)

    def filter_(env: Env) -> Any:
        items = base(env)
        if not isinstance(items, list):
            items = _as_list(items, env)
            if items is None:
                return None
        if not items:
            return []
        env.root.count(len(items) * weight)
        selected: list[Any] = []
        for position, item in enumerate(items):
            scope: Env = Scope(env, {"item": item})
            if type(item) is dict:
                scope = Scope(scope, item)
            result = condition(scope)
            if position == 0 and type(result) is Decimal:
                return _item_at(items, result, env)
            if result is True:
                selected.append(item)
        return selected

    return filter_


def _as_list(value: Any, env: Env) -> list[Any] | None:
    if value is None:
        env.root.warn("INVALID_TYPE", "Expected list but found null to filter")
        return None
    # a non-list value is treated as a singleton list (DMN 1.4, 10.3.2.5)
    return [value]


def _item_at(items: list[Any], index: Decimal, env: Env) -> Any:
    if index != index.to_integral_value():
        env.root.warn("INVALID_TYPE", f"Expected an integer index but found {index}")
        return None
    position = int(index)
    if position > 0:
        position -= 1
    else:
        position += len(items)
    if position < 0 or position >= len(items) or index == 0:
        env.root.warn("INVALID_TYPE", f"Index {index} out of range of a list of {len(items)}")
        return None
    return items[position]


COMPILERS: dict[type, NodeCompiler] = {
    ast.Path: _path,
    ast.Filter: _filter,
}
