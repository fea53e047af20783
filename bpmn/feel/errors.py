"""The FEEL exception tree.

    FeelError                  base: message, position (0-based offset or None), expression
    ├── FeelSyntaxError        the text is not FEEL, or exceeds the size/nesting limits
    └── FeelEvaluationError    evaluation failed (Zeebe raises an incident), as opposed to a
                               result of null: failed assertions, `?` outside unary tests,
                               exceeded iteration/size/recursion limits

Most faults are *not* errors in FEEL: a missing variable, a wrong operand type or an unknown
function give null plus a warning, as in feel-scala 1.17+ (Camunda 8.3+). See docs/feel.md.
"""

from __future__ import annotations


class FeelError(Exception):
    """Base of all FEEL failures; `str()` names the position and the message."""

    def __init__(self, message: str, position: int | None = None, expression: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.expression = expression

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"at position {self.position}: {self.message}"

    def with_expression(self, expression: str) -> FeelError:
        """Attach the expression text (errors raised deep inside do not know it)."""
        if not self.expression:
            self.expression = expression
        return self


class FeelSyntaxError(FeelError):
    """The expression cannot be parsed (or is longer or deeper than the limits allow)."""


class FeelEvaluationError(FeelError):
    """The evaluation failed; the caller must not treat this as a null result."""
