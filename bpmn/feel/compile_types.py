"""The shapes the FEEL compiler produces and passes around: closures `fn(env) -> value`, unary
test closures, and `Compile`, the dispatcher each `compile_*` module receives as an argument
(so none of them imports `compiler`, which imports them all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpmn.feel import ast
from bpmn.feel.scope import Env

Fn = Callable[[Env], Any]
# a compiled positive unary test: (env with `?` bound, input value) -> True / False / None
TestFn = Callable[[Env, Any], "bool | None"]
# the dispatcher: any syntax tree node into its closure (`compiler.compile_node`)
Compile = Callable[[ast.Node], Fn]
# the compiler of one node type, given the dispatcher for the node's children
NodeCompiler = Callable[[Any, Compile], Fn]

INPUT_NAME = "?"
