"""Compiled FEEL expressions and unary tests: the entry points the engine calls.

Compilation is cached per text (LRU), so validating at deployment and compiling again at run
time costs one parse. A compiled object is immutable and safe to share between threads.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bpmn.feel import ast
from bpmn.feel.compiler import INPUT_NAME, Fn, TestFn, compile_node, compile_tests
from bpmn.feel.errors import FeelError, FeelEvaluationError, FeelSyntaxError
from bpmn.feel.parser import parse_expression, parse_unary_tests
from bpmn.feel.scope import EvaluationWarning, Root, Scope
from bpmn.feel.values import to_feel_value

_NO_VARIABLES: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """A value and the failures that were suppressed to get it (feel-scala's warnings)."""

    value: Any
    warnings: tuple[EvaluationWarning, ...]


class CompiledExpression:
    """A FEEL expression, parsed and compiled to closures; `evaluate` may be called often."""

    __slots__ = ("_fn", "text", "tree")

    def __init__(self, text: str, tree: ast.Node, fn: Fn) -> None:
        self.text = text
        self.tree = tree
        self._fn = fn

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> Any:
        """The value (Decimal, None, str, bool, list, dict, temporal, Range, function).

        Raises FeelEvaluationError when the evaluation fails (see bpmn.feel.errors); a
        missing variable or a type mismatch is not a failure but null."""
        root = Root(_NO_VARIABLES if variables is None else variables)
        try:
            return self._fn(root)
        except FeelError as error:
            raise error.with_expression(self.text) from None
        except RecursionError:
            raise FeelEvaluationError("evaluation nested too deeply", None, self.text) from None
        except Exception as error:  # a defect must become an incident, never stop a partition
            raise _internal_error(error, self.text) from error

    def evaluate_with_warnings(
        self, variables: Mapping[str, Any] | None = None
    ) -> EvaluationResult:
        """Like `evaluate`, also returning the suppressed failures (why a result is null)."""
        root = Root(_NO_VARIABLES if variables is None else variables)
        try:
            value = self._fn(root)
        except FeelError as error:
            raise error.with_expression(self.text) from None
        except RecursionError:
            raise FeelEvaluationError("evaluation nested too deeply", None, self.text) from None
        except Exception as error:  # a defect must become an incident, never stop a partition
            raise _internal_error(error, self.text) from error
        return EvaluationResult(value, tuple(root.warnings or ()))

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


class CompiledUnaryTests:
    """Unary tests (a decision table input entry): `> 5`, `"a", "b"`, `not([1..3])`, `-`."""

    __slots__ = ("_negated", "_test", "text", "tree")

    def __init__(self, text: str, tree: ast.UnaryTests) -> None:
        self.text = text
        self.tree = tree
        self._negated = tree.negated
        self._test: TestFn | None = None if tree.any else compile_tests(tree.tests)

    def matches(self, input_value: Any, variables: Mapping[str, Any] | None = None) -> bool | None:
        """Whether the input value satisfies the tests; None when that cannot be decided."""
        if self._test is None:
            return True
        root = Root(_NO_VARIABLES if variables is None else variables)
        subject = to_feel_value(input_value)
        try:
            result = self._test(Scope(root, {INPUT_NAME: subject}), subject)
        except FeelError as error:
            raise error.with_expression(self.text) from None
        except RecursionError:
            raise FeelEvaluationError("evaluation nested too deeply", None, self.text) from None
        except Exception as error:  # a defect must become an incident, never stop a partition
            raise _internal_error(error, self.text) from error
        if self._negated and result is not None:
            return not result
        return result

    def __repr__(self) -> str:
        return f"CompiledUnaryTests({self.text!r})"


def _internal_error(error: Exception, text: str) -> FeelEvaluationError:
    return FeelEvaluationError(f"internal error: {type(error).__name__}: {error}", None, text)


def compile_expression(text: str) -> CompiledExpression:
    """Parse and compile `text` (without the leading `=`); raises FeelSyntaxError."""
    if not isinstance(text, str):
        raise FeelSyntaxError(f"expected expression text but got {type(text).__name__}", None)
    return _compile_expression(text)


@functools.lru_cache(maxsize=4096)
def _compile_expression(text: str) -> CompiledExpression:
    try:
        tree = parse_expression(text)
        return CompiledExpression(text, tree, compile_node(tree))
    except FeelError as error:
        raise error.with_expression(text) from None
    except RecursionError:
        raise FeelSyntaxError("expression is nested too deeply", None, text) from None
    except Exception as error:  # a defect: validation reports it, never raises
        raise FeelSyntaxError(
            f"cannot compile the expression: {type(error).__name__}: {error}", None, text
        ) from error


def compile_unary_tests(text: str) -> CompiledUnaryTests:
    """Parse and compile unary tests; raises FeelSyntaxError."""
    if not isinstance(text, str):
        raise FeelSyntaxError(f"expected unary tests text but got {type(text).__name__}", None)
    return _compile_unary_tests(text)


@functools.lru_cache(maxsize=4096)
def _compile_unary_tests(text: str) -> CompiledUnaryTests:
    try:
        return CompiledUnaryTests(text, parse_unary_tests(text))
    except FeelError as error:
        raise error.with_expression(text) from None
    except RecursionError:
        raise FeelSyntaxError("unary tests are nested too deeply", None, text) from None
    except Exception as error:  # a defect: validation reports it, never raises
        raise FeelSyntaxError(
            f"cannot compile the unary tests: {type(error).__name__}: {error}", None, text
        ) from error


def evaluate(expression: str, variables: Mapping[str, Any] | None = None) -> Any:
    """Compile (cached) and evaluate an expression."""
    return compile_expression(expression).evaluate(variables)
