"""What a variable can hold: JSON values. Objects with string keys, lists, strings, booleans,
null, and numbers: integers exact up to `MAX_JSON_INTEGER_DIGITS` digits (what JSON libraries,
Python's among them, write and read back; the bound FEEL's results have too), floats only when
finite (JSON has no `Infinity` or `NaN`). The engine checks a command's variables
(INVALID_ARGUMENT) and every FEEL result (an incident) against this before anything is
written, so no record holds a value JSON cannot carry and no instance stops on one with an
"unexpected error".
"""

from __future__ import annotations

import math
from typing import Any, Final

from bpmn.feel.json_values import MAX_JSON_INTEGER_DIGITS

MAX_NUMBER: Final = 10**MAX_JSON_INTEGER_DIGITS - 1
"""The largest integer magnitude a variable holds."""


def json_value_problem(value: object, path: str) -> str | None:
    """Why `value` (reached as `path`) cannot be a variable's value, or None. Iterative (no
    recursion limit); paths are spelled only for containers and for the problem found."""
    problem = _item_problem(value, path)
    if problem is not None or not isinstance(value, (dict, list)):
        return problem
    stack: list[tuple[str, dict[Any, Any] | list[Any]]] = [(path, value)]
    while stack:
        where, container = stack.pop()
        is_dict = isinstance(container, dict)
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for name, item in items:
            if is_dict and type(name) is not str:
                return f"Expected the keys of {where} to be strings, but one was '{name!r}'"
            kind = type(item)
            if kind is str or kind is bool or item is None:
                continue
            if kind is int and -MAX_NUMBER <= item <= MAX_NUMBER:
                continue
            at = f"{where}.{name}" if is_dict else f"{where}[{name}]"
            if isinstance(item, (dict, list)):
                stack.append((at, item))
                continue
            problem = _item_problem(item, at)
            if problem is not None:
                return problem
    return None


def _item_problem(item: object, where: str) -> str | None:
    """The problem of a value that is not a container, or None."""
    if item is None or isinstance(item, (str, bool, dict, list)):
        return None
    if isinstance(item, int):
        if -MAX_NUMBER <= item <= MAX_NUMBER:
            return None
        digits = int(item.bit_length() * math.log10(2)) + 1
        return (
            f"Expected {where} to be a number JSON can hold (an integer of at most"
            f" {MAX_JSON_INTEGER_DIGITS} digits), but it was a number of {digits} digits"
        )
    if isinstance(item, float):
        if math.isfinite(item):
            return None
        return f"Expected {where} to be a finite number, but it was '{item}'"
    return f"Expected {where} to be a JSON value, but it was a {type(item).__name__}"
