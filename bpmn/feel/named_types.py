"""Types FEEL does not know by itself: `x instance of tPerson` names a type that a DMN model
declares (an item definition). The DMN evaluator sets a resolver for the time of a decision's
evaluation (`use_named_types`); outside one, an unknown type name matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

NamedTypeCheck = Callable[[str, Any], bool | None]  # None: the name is not a known type

_resolver: ContextVar[NamedTypeCheck | None] = ContextVar("feel_named_types", default=None)


@contextmanager
def use_named_types(check: NamedTypeCheck) -> Iterator[None]:
    token = _resolver.set(check)
    try:
        yield
    finally:
        _resolver.reset(token)


def is_instance_of_named(name: str, value: Any) -> bool:
    check = _resolver.get()
    if check is None or value is None:
        return False
    return check(name, value) is True
