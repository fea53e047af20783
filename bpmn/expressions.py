"""Attribute values as Zeebe reads them: a value starting with `=` is a FEEL expression,
anything else a static value. Expressions are compiled once, at parse time, so a deployed
model never parses FEEL again and a syntax error is a validation problem, not an incident.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bpmn.feel import FeelError, compile_expression


class CompiledFeel(Protocol):
    """What `bpmn.feel.compile_expression` returns: a parsed expression ready to evaluate."""

    def evaluate(self, variables: Mapping[str, Any]) -> Any: ...


class FeelCompileFailure(Exception):
    """A FEEL text that does not compile; `message` says why, `position` where (or None)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


FeelCompiler = Callable[[str], CompiledFeel]
"""Compiles FEEL text (without the leading '=') or raises FeelCompileFailure."""


@dataclass(frozen=True, slots=True)
class Expression:
    """An attribute value: `source` exactly as written (with its '=' if any).

    For a FEEL expression `is_static` is False and `compiled` holds the parsed expression;
    for a static value `compiled` is None and `static_value` is the text itself.
    """

    source: str
    is_static: bool
    compiled: CompiledFeel | None = field(default=None, compare=False, repr=False)

    @property
    def feel_text(self) -> str:
        """The FEEL text without its leading '='; the static text for a static value."""
        return self.source.strip()[1:] if not self.is_static else self.source

    @property
    def static_value(self) -> str:
        if not self.is_static:
            raise ValueError(f"{self.source!r} is a FEEL expression, not a static value")
        return self.source

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """The value: the static text, or the FEEL result over `variables`."""
        if self.compiled is None:
            return self.source
        return self.compiled.evaluate(variables)


def is_expression(value: str) -> bool:
    """Zeebe's rule: a value whose first non-blank character is '=' is a FEEL expression."""
    return value.lstrip().startswith("=")


def static(value: str) -> Expression:
    return Expression(value, True)


def default_feel_compiler() -> FeelCompiler:
    """The FEEL compiler of `bpmn.feel`, adapted to raise FeelCompileFailure."""
    return _compile_with_bpmn_feel


def _compile_with_bpmn_feel(text: str) -> CompiledFeel:
    try:
        return compile_expression(text)
    except FeelError as exc:
        raise FeelCompileFailure(exc.message, exc.position) from None


class ExpressionCompiler:
    """Compiles attribute values for one parse, compiling each distinct FEEL text once."""

    def __init__(self, feel: FeelCompiler) -> None:
        self._feel = feel
        self._cache: dict[str, Expression | FeelCompileFailure] = {}

    def compile(self, value: str) -> Expression:
        """The Expression for `value`; raises FeelCompileFailure for invalid FEEL."""
        if not is_expression(value):
            return static(value)
        known = self._cache.get(value)
        if known is None:
            text = value.strip()[1:]
            if not text.strip():
                known = FeelCompileFailure("the expression is empty")
            else:
                try:
                    known = Expression(value, False, self._feel(text))
                except FeelCompileFailure as exc:
                    known = exc
                except RecursionError:
                    known = FeelCompileFailure("the expression is nested too deeply")
            self._cache[value] = known
        if isinstance(known, FeelCompileFailure):
            raise known
        return known
