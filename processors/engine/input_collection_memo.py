"""The evaluated input collections of multi-instance bodies, kept between commands.

Zeebe reads a multi-instance activity's input collection again for every inner instance (the
item at its index when it activates, the size when it completes), which for n items is n
evaluations of an n-item list: quadratic (4,000 items took 30 s). The engine keeps one
evaluation per body here and reuses it only while a new evaluation would give the same list:
the expression calls nothing that changes from one evaluation to the next (`now()`, `today()`,
`uuid()`, `random number()`) and every variable it names is still the same stored object (the
store's values are immutable: a change stores a new object). Otherwise it evaluates again. So
the semantics stay Zeebe's (a collection changed while iterating is seen; an index past its
end is an incident) and no result depends on what this memo holds (replay, failover).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Final

from bpmn import Expression
from bpmn.feel import ast
from processors.engine.state.variable_state import VariableReader

_CHANGING: Final = frozenset({"now", "today", "uuid", "random number"})
"""Built-ins whose result differs between two evaluations with the same variables."""

LIMIT: Final = 32
"""Bodies remembered per partition (the oldest is forgotten first)."""

_Read = tuple[str, int, Any]
"""(variable name, scope it was found in or -1, the stored value object or None)."""


@dataclass(frozen=True, slots=True)
class _Evaluated:
    expression: Expression
    reads: tuple[_Read, ...]
    items: list[Any]


class InputCollectionMemo:
    """One partition's memo; `evaluations` counts the evaluations it could not spare."""

    def __init__(self) -> None:
        self._bodies: dict[int, _Evaluated] = {}
        self.evaluations = 0

    def collection(
        self,
        body_key: int,
        expression: Expression,
        variables: VariableReader,
        scope_key: int,
        evaluate: Callable[[], list[Any]],
    ) -> list[Any]:
        """The input collection of body `body_key` as seen from `scope_key`: the kept list
        if nothing it depends on changed, else `evaluate()`. The list is shared: read only."""
        names = _names_read(expression)
        kept = self._bodies.get(body_key)
        if (
            kept is not None
            and names is not None
            and kept.expression == expression
            and all(_same(variables, scope_key, *read) for read in kept.reads)
        ):
            return kept.items
        self.evaluations += 1
        items = evaluate()
        if names is not None:
            self._bodies.pop(body_key, None)
            if len(self._bodies) >= LIMIT:
                del self._bodies[next(iter(self._bodies))]
            reads = tuple(_read(variables, scope_key, name) for name in names)
            self._bodies[body_key] = _Evaluated(expression, reads, items)
        return items


def _read(variables: VariableReader, scope_key: int, name: str) -> _Read:
    found = variables.find(scope_key, name)
    return (name, -1, None) if found is None else (name, found[0], found[2])


def _same(variables: VariableReader, scope_key: int, name: str, scope: int, value: Any) -> bool:
    found = variables.find(scope_key, name)
    if found is None:
        return scope == -1
    return found[0] == scope and found[2] is value


@functools.lru_cache(maxsize=1024)
def _names_read(expression: Expression) -> tuple[str, ...] | None:
    """The names an expression reads, or None when it calls a built-in whose result changes
    between evaluations (or is not FEEL at all)."""
    compiled = expression.compiled
    tree = getattr(compiled, "tree", None)
    if not isinstance(tree, ast.Node):
        return None
    names: set[str] = set()
    if not _collect(tree, names):
        return None
    return tuple(sorted(names))


def _collect(node: Any, names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        if node.name in _CHANGING:
            return False
        names.add(node.name)
        return True
    if isinstance(node, ast.Node):
        return all(_collect(getattr(node, f.name), names) for f in fields(node))
    if isinstance(node, tuple):
        return all(_collect(item, names) for item in node)
    return True
