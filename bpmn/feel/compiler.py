"""The syntax tree into nested Python closures, each `fn(env) -> value`.

Compiling once and calling closures avoids walking the tree on every evaluation; hot shapes
(`name > constant`, `a and b`, `a.b`) get specialised closures. Semantics follow feel-scala
1.17+: faults give null plus a warning on the root scope; only `?` outside unary tests, failed
assertions and exceeded limits raise FeelEvaluationError.

This module holds the dispatcher and the public entry points. The compilers of each node
family live in the `compile_*` modules; each receives `compile_node` as an argument for the
node's children, so they never import this module (which imports them all).
"""

from __future__ import annotations

from bpmn.feel import (
    ast,
    compile_functions,
    compile_iteration,
    compile_operators,
    compile_paths,
    compile_terminals,
    compile_unary_tests,
)
from bpmn.feel.compile_types import INPUT_NAME, Fn, NodeCompiler, TestFn
from bpmn.feel.errors import FeelEvaluationError

__all__ = ["INPUT_NAME", "Fn", "TestFn", "compile_node", "compile_tests"]


def compile_node(node: ast.Node) -> Fn:
    compiler = _COMPILERS.get(type(node))
    if compiler is None:  # pragma: no cover - every node type is registered
        raise FeelEvaluationError(f"unsupported expression {type(node).__name__}", node.pos)
    return compiler(node, compile_node)


def compile_tests(tests: tuple[ast.UnaryTest, ...]) -> TestFn:
    """Unary tests (`< 10, [20..30]`) into one closure, their operands compiled here."""
    return compile_unary_tests.compile_tests(tests, compile_node)


_COMPILERS: dict[type, NodeCompiler] = {
    **compile_terminals.COMPILERS,
    **compile_operators.COMPILERS,
    **compile_iteration.COMPILERS,
    **compile_paths.COMPILERS,
    **compile_functions.COMPILERS,
}
