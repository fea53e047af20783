"""The FEEL built-in function library as feel-scala (Camunda 8) offers it. `BUILTINS` maps each
FEEL function name to its overloads, in the order the evaluator should try them; see
`builtins.base` for the calling convention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from bpmn.feel.builtins import boolean, conversion, numeric, string
from bpmn.feel.builtins.base import Builtin, FeelAssertionError, FeelFunctionError


def _by_name(*families: Sequence[Builtin]) -> Mapping[str, tuple[Builtin, ...]]:
    table: dict[str, list[Builtin]] = {}
    for family in families:
        for builtin in family:
            table.setdefault(builtin.name, []).append(builtin)
    return MappingProxyType({name: tuple(overloads) for name, overloads in table.items()})


BUILTINS: Mapping[str, Sequence[Builtin]] = _by_name(
    conversion.FUNCTIONS,
    boolean.FUNCTIONS,
    string.FUNCTIONS,
    numeric.FUNCTIONS,
)

__all__ = ["BUILTINS", "Builtin", "FeelAssertionError", "FeelFunctionError"]
