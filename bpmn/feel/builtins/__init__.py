"""The FEEL built-in function library as feel-scala (Camunda 8) offers it. `BUILTINS` maps each
FEEL function name to its overloads, in the order the evaluator should try them; see
`builtins.base` for the calling convention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from bpmn.feel.builtins import (
    boolean,
    context,
    conversion,
    misc,
    numeric,
    string,
)
from bpmn.feel.builtins import list as list_functions
from bpmn.feel.builtins import range as range_functions
from bpmn.feel.builtins import temporal as temporal_functions
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
    list_functions.FUNCTIONS,
    context.FUNCTIONS,
    range_functions.FUNCTIONS,
    temporal_functions.FUNCTIONS,
    misc.FUNCTIONS,
)

__all__ = ["BUILTINS", "Builtin", "FeelAssertionError", "FeelFunctionError"]
