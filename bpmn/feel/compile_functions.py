"""Compiling FEEL function definitions and calls, and invoking what they reach: user functions
(positional or named arguments), Python callables and the built-in library, with its limits.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bpmn.feel import ast
from bpmn.feel.compile_types import Compile, Fn, NodeCompiler
from bpmn.feel.errors import FeelError, FeelEvaluationError
from bpmn.feel.limits import (
    BUILT_CHARACTERS_PER_STEP,
    MAX_CALL_DEPTH,
    MAX_EVALUATION_STEPS,
    MAX_LIST_SIZE,
    MAX_STRING_LENGTH,
    STRING_CHARACTERS_PER_STEP,
)
from bpmn.feel.operators import describe
from bpmn.feel.scope import MISSING, Env, Scope
from bpmn.feel.values import FeelFunction


class BuiltinReference:
    """A built-in function used as a value (`sort(xs, precedes: ...)`, `f(abs)`)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any) -> Any:
        from bpmn.feel.scope import Root

        fns = tuple(_constant(arg) for arg in args)
        return _invoke_builtin(self.name, fns, None, Root({}))

    def __repr__(self) -> str:
        return f"function {self.name}"


def _constant(value: Any) -> Fn:
    return lambda env: value


def _function_definition(node: ast.FunctionDefinition, compile_node: Compile) -> Fn:
    params = node.params
    if node.external:

        def external(env: Env) -> Any:
            def invoke(args: Sequence[Any]) -> Any:
                env.root.warn("FUNCTION_INVOCATION_FAILURE", "External functions are not supported")
                return None

            return FeelFunction(params, invoke)

        return external

    body = compile_node(node.body)
    weight = ast.node_count(node.body)

    def function_definition(env: Env) -> Any:
        def invoke(args: Sequence[Any]) -> Any:
            root = env.root
            root.count(weight)
            root.call_depth += 1
            try:
                if root.call_depth > MAX_CALL_DEPTH:
                    raise FeelEvaluationError(
                        f"function calls nested deeper than {MAX_CALL_DEPTH} levels", node.pos
                    )
                return body(Scope(env, dict(zip(params, args, strict=True))))
            finally:
                root.call_depth -= 1

        return FeelFunction(params, invoke)

    return function_definition


def _call(node: ast.Call, compile_node: Compile) -> Fn:
    args = tuple(compile_node(arg) for arg in node.args)
    named = (
        tuple((key, compile_node(value)) for key, value in node.named)
        if node.named is not None
        else None
    )
    if isinstance(node.callee, ast.Name):
        function_name = node.callee.name

        def call_by_name(env: Env) -> Any:
            function = env.lookup(function_name)
            if isinstance(function, FeelFunction) or (
                function is not MISSING and callable(function)
            ):
                return _invoke_value(function, function_name, args, named, env)
            return _invoke_builtin(function_name, args, named, env)

        return call_by_name

    callee = compile_node(node.callee)

    def call_value(env: Env) -> Any:
        function = callee(env)
        if not callable(function):
            env.root.warn(
                "NO_FUNCTION_FOUND", f"Expected a function but found {describe(function)}"
            )
            return None
        return _invoke_value(function, "anonymous function", args, named, env)

    return call_value


def _invoke_value(
    function: Any,
    name: str,
    args: tuple[Fn, ...],
    named: tuple[tuple[str, Fn], ...] | None,
    env: Env,
) -> Any:
    if isinstance(function, FeelFunction):
        params = function.params
        if named is not None:
            unknown = [key for key, _ in named if key not in params]
            if unknown:
                env.root.warn(
                    "NO_FUNCTION_FOUND",
                    f"No function found with name '{name}' and parameters {unknown}",
                )
                return None
            given = {key: value(env) for key, value in named}
            values = [given.get(param) for param in params]
        else:
            if len(args) != len(params):
                env.root.warn(
                    "NO_FUNCTION_FOUND",
                    f"No function found with name '{name}' and {len(args)} parameters",
                )
                return None
            values = [arg(env) for arg in args]
        return function.invoke(values)
    values = [arg(env) for arg in args] if named is None else [value(env) for _, value in named]
    return _guarded(function, name, values, env)


def _invoke_builtin(
    name: str,
    args: tuple[Fn, ...],
    named: tuple[tuple[str, Fn], ...] | None,
    env: Env,
) -> Any:
    overloads = builtins().get(name)
    if not overloads:
        env.root.warn("NO_FUNCTION_FOUND", f"No function found with name '{name}'")
        return None
    if named is None:
        count = len(args)
        for overload in overloads:
            params = overload.params
            required = len(params) - overload.optional
            # a varargs builtin's collecting parameter needs a value too
            fits = count >= required if overload.varargs else required <= count <= len(params)
            if fits:
                values = [arg(env) for arg in args]
                if overload.varargs:
                    fixed = len(params) - 1
                    if fixed == 0 and count == 1 and isinstance(values[0], list):
                        values = [values[0]]
                    else:
                        values = [*values[:fixed], values[fixed:]]
                return _guarded(overload.impl, name, values, env)
        env.root.warn(
            "NO_FUNCTION_FOUND", f"No function found with name '{name}' and {count} parameters"
        )
        return None
    keys = [key for key, _ in named]
    for overload in overloads:
        params = overload.params
        if all(key in params for key in keys):
            given = {key: value(env) for key, value in named}
            values = [given.get(param) for param in params]
            # trailing optional parameters that were not given are omitted
            last = len(params)
            while last > len(params) - overload.optional and params[last - 1] not in given:
                last -= 1
            values = values[:last]
            if overload.varargs and len(values) == len(params):
                tail = values[-1]
                values[-1] = tail if isinstance(tail, list) else [tail]
            return _guarded(overload.impl, name, values, env)
    env.root.warn(
        "NO_FUNCTION_FOUND", f"No function found with name '{name}' and parameters {keys}"
    )
    return None


def _guarded(function: Callable[..., Any], name: str, values: Sequence[Any], env: Env) -> Any:
    """Invoke a built-in (or Python callable): invalid arguments give null plus a warning.

    The call costs 1 step plus the size of the lists, contexts and strings it takes and of
    the list or string it returns."""
    steps = 1
    for value in values:
        kind = type(value)
        if kind is list or kind is dict:
            steps += len(value)
        elif kind is str:
            steps += len(value) // STRING_CHARACTERS_PER_STEP
    root = env.root
    root.iterations += steps  # Root.count inlined: every built-in call passes here
    if root.iterations > MAX_EVALUATION_STEPS:
        root.count(0)  # raises the budget's error
    try:
        result = function(*values)
    except FeelError:
        raise
    except RecursionError:
        raise
    except Exception as error:
        if _is_assertion(error):
            raise FeelEvaluationError(f"Assertion failure: {error}") from error
        message = str(error) or type(error).__name__
        if isinstance(error, decimal.DecimalException):  # its text is "[<class '...'>]"
            message = f"the result is not a decimal128 number ({type(error).__name__})"
        env.root.warn(
            "FUNCTION_INVOCATION_FAILURE", f"Failed to invoke function '{name}': {message}"
        )
        return None
    if type(result) is list:
        if len(result) > MAX_LIST_SIZE:
            raise FeelEvaluationError(
                f"function '{name}' returned more than {MAX_LIST_SIZE} elements"
            )
        env.root.count(len(result))
    elif type(result) is str:
        if len(result) > MAX_STRING_LENGTH:
            raise FeelEvaluationError(
                f"function '{name}' returned more than {MAX_STRING_LENGTH} characters"
            )
        env.root.count(len(result) // BUILT_CHARACTERS_PER_STEP)
    elif type(result) is int or type(result) is float:
        from bpmn.feel.values import to_feel_value

        result = to_feel_value(result)
    return result


def _is_assertion(error: Exception) -> bool:
    return any(klass.__name__ == "FeelAssertionError" for klass in type(error).__mro__)


_builtins: Mapping[str, Sequence[Any]] | None = None


def builtins() -> Mapping[str, Sequence[Any]]:
    """The built-in library (imported lazily: it is written in parallel)."""
    global _builtins
    if _builtins is None:
        try:
            from bpmn.feel.builtins import BUILTINS
        except ImportError:
            return {}
        _builtins = BUILTINS
    return _builtins


COMPILERS: dict[type, NodeCompiler] = {
    ast.FunctionDefinition: _function_definition,
    ast.Call: _call,
}
