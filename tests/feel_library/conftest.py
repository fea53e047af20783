"""Helpers for calling built-ins the way the evaluator does: by name and argument count."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bpmn.feel.builtins import BUILTINS, FeelFunctionError


def call(name: str, *args: Any) -> Any:
    """Invoke the first overload of `name` that takes len(args) positional arguments; a
    FeelFunctionError becomes None, as the evaluator turns it into null."""
    for builtin in BUILTINS[name]:
        count = len(builtin.params)
        if builtin.varargs:
            fixed = count - 1
            if len(args) < fixed:
                continue
            rest = list(args[fixed:])
            if count == 1 and len(rest) == 1 and isinstance(rest[0], list):
                rest = rest[0]
            values = [*args[:fixed], rest]
        elif count - builtin.optional <= len(args) <= count:
            values = list(args)  # omitted optional arguments are left out, not null
        else:
            continue
        try:
            return builtin.impl(*values)
        except FeelFunctionError:
            return None
    raise LookupError(f"no overload of {name} for {len(args)} arguments")


def num(text: str | int) -> Decimal:
    return Decimal(text)


@pytest.fixture
def feel_call() -> Any:
    return call
