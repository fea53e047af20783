"""Context functions: `get value` (also by a path of keys), `get entries`, `context put`
(also nested by a path), `context merge`, `context` from key/value entries; contexts are
dicts and are never changed in place.
"""

from __future__ import annotations

from typing import Any

from bpmn.feel.builtins.base import Builtin, is_context, is_list, require


def _context(value: Any) -> dict[str, Any]:
    require(is_context(value), "expected a context")
    return dict(value)


def _keys(value: Any) -> list[str]:
    require(is_list(value) and all(isinstance(k, str) for k in value), "expected string keys")
    return list(value)


def _get_value(context: Any, key: Any) -> Any:
    current: Any = _context(context)
    path = [key] if isinstance(key, str) else _keys(key)
    if not path:
        return None
    for name in path:
        if not is_context(current) or name not in current:
            return None
        current = current[name]
    return current


def _get_entries(context: Any) -> list[dict[str, Any]]:
    return [{"key": key, "value": value} for key, value in _context(context).items()]


def _put_path(context: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    head, rest = path[0], path[1:]
    result = dict(context)
    if rest:
        nested = result.get(head)
        result[head] = _put_path(nested if is_context(nested) else {}, rest, value)
    else:
        result[head] = value
    return result


def _context_put(context: Any, key: Any, value: Any) -> dict[str, Any]:
    path = [key] if isinstance(key, str) else _keys(key)
    require(bool(path), "context put() needs at least one key")
    return _put_path(_context(context), path, value)


def _context_merge(contexts: Any) -> dict[str, Any]:
    require(is_list(contexts), "context merge() expects a list of contexts")
    merged: dict[str, Any] = {}
    for item in contexts:
        merged.update(_context(item))
    return merged


def _from_entries(entries: Any) -> dict[str, Any]:
    if is_context(entries):
        entries = [entries]  # a single entry stands for a list of it (singleton coercion)
    require(is_list(entries), "context() expects a list of entries")
    result: dict[str, Any] = {}
    for entry in entries:
        require(
            is_context(entry) and isinstance(entry.get("key"), str) and "value" in entry,
            "each entry must be a context with a string 'key' and a 'value'",
        )
        require(entry["key"] not in result, f"duplicate key '{entry['key']}'")
        result[entry["key"]] = entry["value"]
    return result


FUNCTIONS = [
    Builtin("get value", ("context", "key"), _get_value),
    Builtin("get value", ("m", "key"), _get_value),
    Builtin("get value", ("context", "keys"), _get_value),
    Builtin("get entries", ("context",), _get_entries),
    Builtin("get entries", ("m",), _get_entries),
    Builtin("context put", ("context", "key", "value"), _context_put),
    Builtin("context put", ("context", "keys", "value"), _context_put),
    Builtin("put", ("context", "key", "value"), _context_put),  # deprecated name
    Builtin("context merge", ("contexts",), _context_merge, varargs=True),
    Builtin("put all", ("contexts",), _context_merge, varargs=True),  # deprecated name
    Builtin("context", ("entries",), _from_entries),
]
