"""Boolean functions and the null-handling helpers: `not`, `is defined`, `get or else`,
`assert`. `is defined` sees only the value; the evaluator answers false itself when the
argument is a missing variable or context entry.
"""

from __future__ import annotations

from typing import Any

from bpmn.feel.builtins.base import Builtin, FeelAssertionError


def _not(negand: Any) -> bool | None:
    if isinstance(negand, bool):
        return not negand
    return None


def _is_defined(value: Any) -> bool:
    return value is not None


def _get_or_else(value: Any, default: Any) -> Any:
    return default if value is None else value


def _assert(value: Any, condition: Any, cause: Any = None) -> Any:
    if condition is True:
        return value
    if isinstance(cause, str):
        raise FeelAssertionError(cause)
    raise FeelAssertionError("The condition is not fulfilled")


FUNCTIONS = [
    Builtin("not", ("negand",), _not),
    Builtin("is defined", ("value",), _is_defined),
    Builtin("get or else", ("value", "default"), _get_or_else),
    Builtin("assert", ("value", "condition", "cause"), _assert, optional=1),
]
