"""The shared vocabulary of FEEL built-in functions: the `Builtin` descriptor the evaluator
dispatches on, the error an implementation raises for invalid arguments, and the FEEL value
equality and ordering the list, range and comparison functions rely on.

Calling convention (the evaluator implements it, as feel-scala does):

* overloads of one name are tried in order; with positional arguments the first overload whose
  parameter count fits is used (`len(params) - optional <= n <= len(params)`, or more when
  `varargs`); with named arguments, the first overload whose parameter names contain all given
  names, missing ones passed as null;
* for a `varargs` builtin, the arguments from the last parameter on are collected into a list;
  when the builtin has a single parameter and is called with exactly one list argument, that
  list is passed as is (`min([1, 2])` equals `min(1, 2)`);
* values are Python values: None (null), bool, Decimal, str, list, dict (context), the temporal
  types of `bpmn.feel.temporal`, `bpmn.feel.values.Range`, and FEEL functions as Python
  callables taking positional FEEL values;
* an implementation returns the FEEL result or raises `FeelFunctionError` (the evaluator turns it
  into null plus a warning) or `FeelAssertionError` (the evaluation fails, as `assert` demands).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeGuard

from bpmn.feel import temporal


@dataclass(frozen=True)
class Builtin:
    """One overload of a FEEL built-in function."""

    name: str
    params: tuple[str, ...]  # FEEL parameter names, used for named arguments
    impl: Callable[..., Any]  # called with positional values in params order
    optional: int = 0  # how many trailing params may be omitted
    varargs: bool = False  # the last param collects further positional args as a list


class _Omitted:
    """The default of an optional parameter, so an impl can tell an omitted argument from an
    explicit null (feel-scala: `floor(1.5, null)` is null, `floor(1.5)` is 1)."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Any = _Omitted()


class FeelFunctionError(Exception):
    """Raised by an implementation for arguments it does not accept; the result becomes null."""


class FeelAssertionError(Exception):
    """Raised by `assert`: unlike `FeelFunctionError`, the whole evaluation fails."""


def is_number(value: object) -> TypeGuard[Decimal]:
    return isinstance(value, Decimal)


def is_string(value: object) -> TypeGuard[str]:
    return isinstance(value, str)


def is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def is_context(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict)


def require(condition: bool, message: str) -> None:
    """Fail the call with `message` unless `condition` holds (keeps impls flat)."""
    if not condition:
        raise FeelFunctionError(message)


def feel_equals(left: Any, right: Any) -> bool | None:
    """FEEL `=`: None when the two values cannot be compared (different types)."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool):
            return left == right
        return None
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if temporal.is_temporal(left) and temporal.is_temporal(right):
        return temporal.temporal_equals(left, right)
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return all(feel_equals(x, y) is True for x, y in zip(left, right, strict=True))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        if left.keys() != right.keys():
            return False
        return all(feel_equals(left[key], right[key]) is True for key in left)
    if type(left) is type(right):
        # ranges and functions: structural equality is the best a library can offer
        return bool(left == right)
    return None


def same_value(left: Any, right: Any) -> bool:
    """Equality for list membership: incomparable counts as different."""
    return feel_equals(left, right) is True


def feel_compare(left: Any, right: Any) -> int | None:
    """FEEL ordering of two values of the same comparable type; None if not comparable."""
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        # feel-scala compares strings by UTF-16 code units; code points agree outside the
        # supplementary planes, which is close enough for ordering
        return (left > right) - (left < right)
    if temporal.is_temporal(left) and temporal.is_temporal(right):
        return temporal.temporal_compare(left, right)
    return None
