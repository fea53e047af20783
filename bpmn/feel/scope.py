"""Evaluation scopes: the root (the caller's variables plus per-evaluation state) and nested
scopes (iteration variables, function parameters, context entries, filter items).

The caller's variables are converted to FEEL values lazily, on first use of each one, so a
process with many large variables pays only for the ones an expression reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bpmn.feel.errors import FeelEvaluationError
from bpmn.feel.limits import MAX_EVALUATION_STEPS
from bpmn.feel.values import to_feel_value


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class EvaluationWarning:
    """A suppressed failure: the evaluation went on with null (feel-scala's failure types)."""

    kind: str  # NO_VARIABLE_FOUND, NO_CONTEXT_ENTRY_FOUND, INVALID_TYPE, NOT_COMPARABLE, ...
    message: str


class Root:
    __slots__ = ("cache", "call_depth", "iterations", "raw", "root", "warnings")

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.raw = variables
        self.cache: dict[str, Any] = {}
        self.root = self
        self.warnings: list[EvaluationWarning] | None = None
        self.iterations = 0
        self.call_depth = 0

    def lookup(self, name: str) -> Any:
        value = self.cache.get(name, MISSING)
        if value is not MISSING:
            return value
        raw = self.raw.get(name, MISSING)
        if raw is MISSING:
            return MISSING
        value = to_feel_value(raw)
        if value is None and raw is not None:
            self.warn(
                "INVALID_OPERATION",
                f"Variable '{name}' is not a number FEEL holds (decimal128: finite, below 10^6145)",
            )
        self.cache[name] = value
        return value

    def warn(self, kind: str, message: str) -> None:
        if self.warnings is None:
            self.warnings = []
        if len(self.warnings) < 100:
            self.warnings.append(EvaluationWarning(kind, message))

    def count(self, steps: int) -> None:
        """Charge `steps` to this evaluation's budget (see limits.MAX_EVALUATION_STEPS)."""
        self.iterations += steps
        if self.iterations > MAX_EVALUATION_STEPS:
            raise FeelEvaluationError(
                f"evaluation exceeds the limit of {MAX_EVALUATION_STEPS} steps"
                " (iterations, function calls and elements of lists handled)"
            )


class Scope:
    __slots__ = ("parent", "root", "vars")

    def __init__(self, parent: Root | Scope, variables: Mapping[str, Any]) -> None:
        self.parent = parent
        self.root: Root = parent.root
        self.vars = variables

    def lookup(self, name: str) -> Any:
        value = self.vars.get(name, MISSING)
        if value is MISSING:
            return self.parent.lookup(name)
        return value


Env = Root | Scope
