"""The syntax tree into nested Python closures, each `fn(env) -> value`.

Compiling once and calling closures avoids walking the tree on every evaluation; hot shapes
(`name > constant`, `a and b`, `a.b`) get specialised closures. Semantics follow feel-scala
1.17+: faults give null plus a warning on the root scope; only `?` outside unary tests, failed
assertions and exceeded limits raise FeelEvaluationError.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from bpmn.feel import ast
from bpmn.feel.errors import FeelError, FeelEvaluationError
from bpmn.feel.limits import MAX_CALL_DEPTH, MAX_LIST_SIZE, MAX_STRING_LENGTH
from bpmn.feel.operators import (
    ARITHMETIC,
    canonical_type_name,
    describe,
    equality,
    equals,
    in_range,
    is_temporal,
    make_range,
    negate,
    ordering,
    temporal,
    type_name,
)
from bpmn.feel.scope import MISSING, Env, Scope
from bpmn.feel.values import FeelFunction, Range

Fn = Callable[[Env], Any]
# a compiled positive unary test: (env with `?` bound, input value) -> True / False / None
TestFn = Callable[[Env, Any], "bool | None"]

INPUT_NAME = "?"


def compile_node(node: ast.Node) -> Fn:
    compiler = _COMPILERS.get(type(node))
    if compiler is None:  # pragma: no cover - every node type is registered
        raise FeelEvaluationError(f"unsupported expression {type(node).__name__}", node.pos)
    return compiler(node)


# ---------------------------------------------------------------------- terminals


def _literal(node: ast.Literal) -> Fn:
    value = node.value

    def literal(env: Env) -> Any:
        return value

    return literal


def _temporal_literal(node: ast.TemporalLiteral) -> Fn:
    text = node.text
    parsed: list[Any] = []

    def temporal_literal(env: Env) -> Any:
        if not parsed:
            parsed.append(parse_temporal_literal(text))
        value = parsed[0]
        if value is None:
            env.root.warn("INVALID_TYPE", f'Invalid temporal literal @"{text}"')
        return value

    return temporal_literal


def parse_temporal_literal(text: str) -> Any:
    module = temporal()
    for parser in ("parse_date", "parse_date_time", "parse_time", "parse_duration"):
        try:
            return getattr(module, parser)(text)
        except (ValueError, ArithmeticError, OverflowError):
            continue
    return None


def _name(node: ast.Name) -> Fn:
    name = node.name

    def variable(env: Env) -> Any:
        value = env.lookup(name)
        if value is MISSING:
            if name in builtins():
                return BuiltinReference(name)
            env.root.warn("NO_VARIABLE_FOUND", f"No variable found with name '{name}'")
            return None
        return value

    return variable


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


def _input_value(node: ast.InputValue) -> Fn:
    def input_value(env: Env) -> Any:
        value = env.lookup(INPUT_NAME)
        if value is MISSING:
            raise FeelEvaluationError(
                "No input value available. '?' can only be used inside a unary-test expression.",
                node.pos,
            )
        return value

    return input_value


def _list(node: ast.ListLiteral) -> Fn:
    items = tuple(compile_node(item) for item in node.items)

    def list_literal(env: Env) -> Any:
        return [item(env) for item in items]

    return list_literal


def _context(node: ast.ContextLiteral) -> Fn:
    entries = tuple((key, compile_node(value)) for key, value in node.entries)

    def context_literal(env: Env) -> Any:
        result: dict[str, Any] = {}
        scope = Scope(env, result)  # later entries see earlier ones
        for key, value in entries:
            result[key] = value(scope)
        return result

    return context_literal


def _range(node: ast.RangeLiteral) -> Fn:
    start = compile_node(node.start) if node.start is not None else None
    end = compile_node(node.end) if node.end is not None else None
    start_included, end_included = node.start_included, node.end_included

    def range_literal(env: Env) -> Any:
        low = start(env) if start is not None else None
        high = end(env) if end is not None else None
        if (start is not None and low is None) or (end is not None and high is None):
            env.root.warn("INVALID_TYPE", "Invalid range definition: a bound is null")
            return None
        return make_range(low, high, start_included, end_included, env)

    return range_literal


# ---------------------------------------------------------------------- operators


def _negation(node: ast.Negation) -> Fn:
    operand = compile_node(node.operand)

    def negation(env: Env) -> Any:
        return negate(operand(env), env)

    return negation


def _arithmetic(node: ast.Arithmetic) -> Fn:
    left, right = compile_node(node.left), compile_node(node.right)
    operation = ARITHMETIC[node.op]

    def arithmetic(env: Env) -> Any:
        return operation(left(env), right(env), env)

    return arithmetic


def _comparison(node: ast.Comparison) -> Fn:
    left = compile_node(node.left)
    op = node.op
    if isinstance(node.right, ast.Literal) and type(node.right.value) is Decimal:
        return _compare_with_number(left, op, node.right.value)
    right = compile_node(node.right)
    if op == "=":

        def equal(env: Env) -> Any:
            return equality(left(env), right(env), env)

        return equal
    if op == "!=":

        def not_equal(env: Env) -> Any:
            result = equality(left(env), right(env), env)
            return None if result is None else not result

        return not_equal

    def compare(env: Env) -> Any:
        return ordering(op, left(env), right(env), env)

    return compare


def _compare_with_number(left: Fn, op: str, constant: Decimal) -> Fn:
    """`amount > 100`: the hot shape of gateway conditions."""
    if op == ">":

        def greater(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value > constant
            return ordering(op, value, constant, env)

        return greater
    if op == "<":

        def less(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value < constant
            return ordering(op, value, constant, env)

        return less
    if op == ">=":

        def greater_equal(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value >= constant
            return ordering(op, value, constant, env)

        return greater_equal
    if op == "<=":

        def less_equal(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value <= constant
            return ordering(op, value, constant, env)

        return less_equal
    if op == "=":

        def equal(env: Env) -> Any:
            value = left(env)
            if type(value) is Decimal:
                return value == constant
            return equality(value, constant, env)

        return equal

    def not_equal(env: Env) -> Any:
        value = left(env)
        if type(value) is Decimal:
            return value != constant
        result = equality(value, constant, env)
        return None if result is None else not result

    return not_equal


def _boolean_operand(value: Any, env: Env, op: str) -> bool | None:
    if value is True or value is False:
        return value
    if value is not None:
        env.root.warn("INVALID_TYPE", f"Expected boolean but found {describe(value)} in '{op}'")
    return None


def _conjunction(node: ast.Conjunction) -> Fn:
    left, right = compile_node(node.left), compile_node(node.right)

    def conjunction(env: Env) -> Any:
        first = left(env)
        if first is False:
            return False
        second = right(env)
        if second is False:
            return False
        if first is True and second is True:
            return True
        _boolean_operand(first, env, "and")
        _boolean_operand(second, env, "and")
        return None

    return conjunction


def _disjunction(node: ast.Disjunction) -> Fn:
    left, right = compile_node(node.left), compile_node(node.right)

    def disjunction(env: Env) -> Any:
        first = left(env)
        if first is True:
            return True
        second = right(env)
        if second is True:
            return True
        if first is False and second is False:
            return False
        _boolean_operand(first, env, "or")
        _boolean_operand(second, env, "or")
        return None

    return disjunction


def _between(node: ast.Between) -> Fn:
    value, low, high = compile_node(node.value), compile_node(node.low), compile_node(node.high)

    def between(env: Env) -> Any:
        subject = value(env)
        lower = ordering(">=", subject, low(env), env)
        if lower is False:
            return False
        upper = ordering("<=", subject, high(env), env)
        if upper is False:
            return False
        if lower is True and upper is True:
            return True
        return None

    return between


def _in(node: ast.In) -> Fn:
    value = compile_node(node.value)
    tests = compile_tests(node.tests)

    def in_(env: Env) -> Any:
        subject = value(env)
        return tests(Scope(env, {INPUT_NAME: subject}), subject)

    return in_


def _instance_of(node: ast.InstanceOf) -> Fn:
    value = compile_node(node.value)
    check = type_check(node.type)

    def instance_of(env: Env) -> Any:
        return check(value(env))

    return instance_of


_SIMPLE_TYPES = frozenset(
    {
        "number",
        "string",
        "boolean",
        "date",
        "time",
        "date and time",
        "years and months duration",
        "days and time duration",
        "list",
        "context",
        "function",
        "range",
    }
)


def type_check(spec: ast.TypeSpec) -> Callable[[Any], bool]:
    name = canonical_type_name(spec.name)
    if name == "Any":
        return lambda value: value is not None
    if name in ("Null", "null"):
        return lambda value: value is None
    if name == "list" and spec.args:
        element = type_check(spec.args[0])
        return lambda value: (
            isinstance(value, list) and all(item is None or element(item) for item in value)
        )
    if name == "range" and spec.args:
        element = type_check(spec.args[0])
        return lambda value: (
            isinstance(value, Range)
            and all(bound is None or element(bound) for bound in (value.start, value.end))
        )
    if name == "context" and spec.fields:
        fields = tuple((key, type_check(field)) for key, field in spec.fields)
        return lambda value: (
            isinstance(value, dict)
            and all(
                key in value and (value[key] is None or check(value[key])) for key, check in fields
            )
        )
    if name == "function" and (spec.args or spec.result is not None):
        arity = len(spec.args)
        return lambda value: (
            (isinstance(value, FeelFunction) and len(value.params) == arity)
            or (callable(value) and not isinstance(value, FeelFunction))
        )
    if name not in _SIMPLE_TYPES:
        return lambda value: False
    return lambda value: value is not None and type_name(value) == name


def _if(node: ast.If) -> Fn:
    condition, then, otherwise = (
        compile_node(node.condition),
        compile_node(node.then),
        compile_node(node.otherwise),
    )

    def if_(env: Env) -> Any:
        result = condition(env)
        if result is True:
            return then(env)
        if result is not False and result is not None:
            env.root.warn("INVALID_TYPE", f"Expected boolean but found {describe(result)} in 'if'")
        return otherwise(env)

    return if_


# ---------------------------------------------------------------------- iteration


def _iteration_range(node: ast.IterationRange) -> Fn:
    start, end = compile_node(node.start), compile_node(node.end)

    def iteration_range(env: Env) -> Any:
        low, high = start(env), end(env)
        if type(low) is datetime.date and type(high) is datetime.date:
            days = abs((high - low).days) + 1
            if days > MAX_LIST_SIZE:
                raise FeelEvaluationError(
                    f"range exceeds the limit of {MAX_LIST_SIZE} elements", node.pos
                )
            direction = 1 if high >= low else -1
            return [low + datetime.timedelta(days=direction * i) for i in range(days)]
        if type(low) is not Decimal or type(high) is not Decimal:
            env.root.warn(
                "INVALID_TYPE",
                f"Expected numbers for the range {describe(low)}..{describe(high)}",
            )
            return None
        count = abs(high - low) + 1
        if count > MAX_LIST_SIZE:
            raise FeelEvaluationError(
                f"range {low}..{high} exceeds the limit of {MAX_LIST_SIZE} elements", node.pos
            )
        step = 1 if high >= low else -1
        return [low + step * i for i in range(int(count))]

    return iteration_range


def _domains(
    iterators: tuple[tuple[str, ast.Node], ...],
) -> tuple[tuple[str, Fn], ...]:
    return tuple((name, compile_node(domain)) for name, domain in iterators)


def _iterate(
    env: Env, domains: tuple[tuple[str, Fn], ...], pos: int
) -> list[dict[str, Any]] | None:
    """The cartesian product of the iterators' lists as variable bindings; None when a domain is
    not a list. Later iterators may refer to earlier ones (`for x in xs, y in x.items`)."""
    bindings: list[dict[str, Any]] = [{}]
    for name, domain in domains:
        expanded: list[dict[str, Any]] = []
        for binding in bindings:
            scope = Scope(env, binding) if binding else env
            values = domain(scope)
            if isinstance(values, Range):
                values = _range_items(values, env, pos)
            if not isinstance(values, list):
                env.root.warn(
                    "INVALID_TYPE", f"Expected list but found {describe(values)} to iterate"
                )
                return None
            env.root.count(len(values))
            if len(expanded) + len(values) > MAX_LIST_SIZE:
                raise FeelEvaluationError(
                    f"iteration exceeds the limit of {MAX_LIST_SIZE} elements", pos
                )
            for value in values:
                item = dict(binding)
                item[name] = value
                expanded.append(item)
        bindings = expanded
    return bindings


def _range_items(range_: Range, env: Env, pos: int) -> Any:
    """Iterating a range of integers, as DMN 1.4 allows (`for i in [1..3]`)."""
    start, end = range_.start, range_.end
    if (
        type(start) is not Decimal
        or type(end) is not Decimal
        or start != start.to_integral_value()
        or end != end.to_integral_value()
    ):
        return range_
    low = int(start) if range_.start_included else int(start) + 1
    high = int(end) if range_.end_included else int(end) - 1
    if high < low:
        env.root.warn("INVALID_TYPE", f"Can't iterate over a descending range {describe(range_)}")
        return None
    if high - low + 1 > MAX_LIST_SIZE:
        raise FeelEvaluationError(f"range exceeds the limit of {MAX_LIST_SIZE} elements", pos)
    return [Decimal(i) for i in range(low, high + 1)]


def _uses_name(node: Any, name: str) -> bool:
    if isinstance(node, ast.Name):
        return node.name == name
    if isinstance(node, (ast.Node, ast.TypeSpec)):
        return any(_uses_name(getattr(node, slot), name) for slot in _slots(type(node)))
    if isinstance(node, tuple):
        return any(_uses_name(item, name) for item in node)
    return False


def _slots(cls: type) -> tuple[str, ...]:
    slots: list[str] = []
    for klass in cls.__mro__:
        slots.extend(getattr(klass, "__slots__", ()))
    return tuple(slots)


def _for(node: ast.For) -> Fn:
    domains = _domains(node.iterators)
    body = compile_node(node.body)
    uses_partial = _uses_name(node.body, "partial")
    pos = node.pos

    def for_(env: Env) -> Any:
        bindings = _iterate(env, domains, pos)
        if bindings is None:
            return None
        root = env.root
        results: list[Any] = []
        for binding in bindings:
            if uses_partial:
                root.count(len(results))
                binding["partial"] = list(results)
            results.append(body(Scope(env, binding)))
        return results

    return for_


def _quantified(node: ast.Quantified) -> Fn:
    domains = _domains(node.iterators)
    condition = compile_node(node.condition)
    every = node.every
    pos = node.pos

    def quantified(env: Env) -> Any:
        bindings = _iterate(env, domains, pos)
        if bindings is None:
            return None
        undecided = False
        for binding in bindings:
            result = condition(Scope(env, binding))
            if result is (not every):
                return result
            if result is not every:
                undecided = True
        return None if undecided else every

    return quantified


# ---------------------------------------------------------------------- paths and filters


def _path(node: ast.Path) -> Fn:
    base = compile_node(node.base)
    key = node.key

    def path(env: Env) -> Any:
        value = base(env)
        if type(value) is dict:
            result = value.get(key, MISSING)
            if result is MISSING:
                return _missing_entry(value, key, env)
            return result
        return path_value(value, key, env)

    return path


def _missing_entry(context: Mapping[str, Any], key: str, env: Env) -> None:
    keys = ", ".join(f"'{name}'" for name in list(context)[:10])
    detail = f"Available keys: {keys}" if keys else "The context is empty"
    env.root.warn("NO_CONTEXT_ENTRY_FOUND", f"No context entry found with key '{key}'. {detail}")
    return None


_RANGE_PROPERTIES = {
    "start": lambda r: r.start,
    "end": lambda r: r.end,
    "start included": lambda r: r.start_included,
    "end included": lambda r: r.end_included,
}


def path_value(value: Any, key: str, env: Env) -> Any:
    if type(value) is dict:
        result = value.get(key, MISSING)
        return _missing_entry(value, key, env) if result is MISSING else result
    if type(value) is list:
        env.root.count(len(value))
        return [path_value(item, key, env) for item in value]
    if value is None:
        env.root.warn(
            "NO_CONTEXT_ENTRY_FOUND",
            f"No context entry found with key '{key}'. The context is null",
        )
        return None
    if type(value) is Range:
        getter = _RANGE_PROPERTIES.get(key)
        if getter is not None:
            return getter(value)
    elif is_temporal(value):
        try:
            return temporal().temporal_property(value, key)
        except (KeyError, AttributeError, ValueError):
            pass
    env.root.warn(
        "NO_PROPERTY_FOUND", f"No property found with name '{key}' of value {describe(value)}"
    )
    return None


def _filter(node: ast.Filter) -> Fn:
    base = compile_node(node.base)
    condition_node = node.condition
    if isinstance(condition_node, ast.Literal) and type(condition_node.value) is Decimal:
        index = condition_node.value

        def index_filter(env: Env) -> Any:
            items = base(env)
            if not isinstance(items, list):
                items = _as_list(items, env)
                if items is None:
                    return None
            return _item_at(items, index, env)

        return index_filter

    condition = compile_node(condition_node)

    def filter_(env: Env) -> Any:
        items = base(env)
        if not isinstance(items, list):
            items = _as_list(items, env)
            if items is None:
                return None
        if not items:
            return []
        env.root.count(len(items))
        selected: list[Any] = []
        for position, item in enumerate(items):
            scope: Env = Scope(env, {"item": item})
            if type(item) is dict:
                scope = Scope(scope, item)
            result = condition(scope)
            if position == 0 and type(result) is Decimal:
                return _item_at(items, result, env)
            if result is True:
                selected.append(item)
        return selected

    return filter_


def _as_list(value: Any, env: Env) -> list[Any] | None:
    if value is None:
        env.root.warn("INVALID_TYPE", "Expected list but found null to filter")
        return None
    # a non-list value is treated as a singleton list (DMN 1.4, 10.3.2.5)
    return [value]


def _item_at(items: list[Any], index: Decimal, env: Env) -> Any:
    if index != index.to_integral_value():
        env.root.warn("INVALID_TYPE", f"Expected an integer index but found {index}")
        return None
    position = int(index)
    if position > 0:
        position -= 1
    else:
        position += len(items)
    if position < 0 or position >= len(items) or index == 0:
        env.root.warn("INVALID_TYPE", f"Index {index} out of range of a list of {len(items)}")
        return None
    return items[position]


# ---------------------------------------------------------------------- functions


def _function_definition(node: ast.FunctionDefinition) -> Fn:
    params = node.params
    if node.external:

        def external(env: Env) -> Any:
            def invoke(args: Sequence[Any]) -> Any:
                env.root.warn("FUNCTION_INVOCATION_FAILURE", "External functions are not supported")
                return None

            return FeelFunction(params, invoke)

        return external

    body = compile_node(node.body)

    def function_definition(env: Env) -> Any:
        def invoke(args: Sequence[Any]) -> Any:
            root = env.root
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


def _call(node: ast.Call) -> Fn:
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
    """Invoke a built-in (or Python callable): invalid arguments give null plus a warning."""
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
        env.root.warn(
            "FUNCTION_INVOCATION_FAILURE", f"Failed to invoke function '{name}': {message}"
        )
        return None
    if type(result) is list:
        if len(result) > MAX_LIST_SIZE:
            raise FeelEvaluationError(
                f"function '{name}' returned more than {MAX_LIST_SIZE} elements"
            )
    elif type(result) is str:
        if len(result) > MAX_STRING_LENGTH:
            raise FeelEvaluationError(
                f"function '{name}' returned more than {MAX_STRING_LENGTH} characters"
            )
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


# ---------------------------------------------------------------------- unary tests


def compile_test(test: ast.UnaryTest) -> TestFn:
    """One positive unary test as feel-scala's UnaryTestExpression evaluates it."""
    if test.literal_boolean:
        expected = test.test.value if isinstance(test.test, ast.Literal) else None

        def literal_boolean(env: Env, subject: Any) -> bool | None:
            return equality(subject, expected, env)

        return literal_boolean
    expression = compile_node(test.test)
    if test.op == "=":

        def equal(env: Env, subject: Any) -> bool | None:
            return equality(subject, expression(env), env)

        return equal
    if test.op == "!=":

        def not_equal(env: Env, subject: Any) -> bool | None:
            result = equality(subject, expression(env), env)
            return None if result is None else not result

        return not_equal
    is_range = isinstance(test.test, ast.RangeLiteral)

    def positive_test(env: Env, subject: Any) -> bool | None:
        result = expression(env)
        if result is True:
            return True
        if type(result) is Range:
            return in_range(subject, result, env)
        if result is None and is_range:
            return None  # an invalid range (a null bound) decides nothing
        if type(result) is list and any(
            (in_range(subject, item, env) if type(item) is Range else equals(subject, item)) is True
            for item in result
        ):
            return True
        if result is False:
            return equals(subject, False) is True or False
        equal = equals(subject, result)
        if equal is True:
            return True
        if type(result) is list:
            return False
        if equal is None:
            env.root.warn(
                "NOT_COMPARABLE", f"Can't compare {describe(subject)} with {describe(result)}"
            )
            return None
        return False

    return positive_test


def compile_tests(tests: tuple[ast.UnaryTest, ...]) -> TestFn:
    """Positive unary tests joined by `,`: true if one is true, else null if one is null."""
    compiled = tuple(compile_test(test) for test in tests)
    if len(compiled) == 1:
        return compiled[0]

    def at_least_one(env: Env, subject: Any) -> bool | None:
        undecided = False
        for test in compiled:
            result = test(env, subject)
            if result is True:
                return True
            if result is None:
                undecided = True
        return None if undecided else False

    return at_least_one


_COMPILERS: dict[type, Callable[[Any], Fn]] = {
    ast.Literal: _literal,
    ast.TemporalLiteral: _temporal_literal,
    ast.Name: _name,
    ast.InputValue: _input_value,
    ast.ListLiteral: _list,
    ast.ContextLiteral: _context,
    ast.RangeLiteral: _range,
    ast.Negation: _negation,
    ast.Arithmetic: _arithmetic,
    ast.Comparison: _comparison,
    ast.Conjunction: _conjunction,
    ast.Disjunction: _disjunction,
    ast.Between: _between,
    ast.In: _in,
    ast.InstanceOf: _instance_of,
    ast.If: _if,
    ast.IterationRange: _iteration_range,
    ast.For: _for,
    ast.Quantified: _quantified,
    ast.Path: _path,
    ast.Filter: _filter,
    ast.FunctionDefinition: _function_definition,
    ast.Call: _call,
}
