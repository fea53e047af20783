"""The FEEL syntax tree: frozen nodes, each with the 0-based offset where it starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    pos: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any  # None, bool, Decimal or str


@dataclass(frozen=True, slots=True)
class NumberOutOfRange(Node):
    """A number literal beyond decimal128 (`1e9999`): null with a warning when evaluated."""

    text: str


@dataclass(frozen=True, slots=True)
class TemporalLiteral(Node):
    text: str  # @"2020-01-01"


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str  # words joined by single spaces: `order item`


@dataclass(frozen=True, slots=True)
class InputValue(Node):
    """`?`: the value a unary test is applied to."""


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextLiteral(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class RangeLiteral(Node):
    """`[a..b]`, `(a..b)`, `]a..b[`, and `< b`, `>= a` (one bound absent)."""

    start: Node | None
    end: Node | None
    start_included: bool
    end_included: bool


@dataclass(frozen=True, slots=True)
class Negation(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    op: str  # + - * / **
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    op: str  # = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Conjunction(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Disjunction(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class UnaryTest(Node):
    """One positive unary test; `literal_boolean` marks a bare `true`/`false` (compared, not
    taken as the test's outcome, as in feel-scala)."""

    test: Node
    literal_boolean: bool = False
    op: str | None = None  # `=` or `!=` (DMN 1.5): compare the input with `test`


@dataclass(frozen=True, slots=True)
class In(Node):
    value: Node
    tests: tuple[UnaryTest, ...]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str  # number, string, list, context, function, range, Any, date and time, ...
    args: tuple[TypeSpec, ...] = ()  # list<T>, range<T>, function<A, B> parameters
    fields: tuple[tuple[str, TypeSpec], ...] = ()  # context<a: T>
    result: TypeSpec | None = None  # function<...> -> R


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    value: Node
    type: TypeSpec


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class IterationRange(Node):
    """`1..3` as the domain of a `for` iterator."""

    start: Node
    end: Node


@dataclass(frozen=True, slots=True)
class For(Node):
    iterators: tuple[tuple[str, Node], ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    every: bool  # `every` when True, `some` otherwise
    iterators: tuple[tuple[str, Node], ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class Path(Node):
    base: Node
    key: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    base: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    callee: Node  # a Name is resolved as a function name (scope first, then built-ins)
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None  # named arguments, or None when positional


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Node):
    params: tuple[str, ...]
    body: Node
    external: bool = False  # `function() external {...}`: not supported, evaluates to null


@dataclass(frozen=True, slots=True)
class UnaryTests(Node):
    """A unary-tests text: `-` (any), a list of positive tests, or `not(...)` of them."""

    tests: tuple[UnaryTest, ...]
    negated: bool = False
    any: bool = False


def node_count(tree: object) -> int:
    """The nodes of a tree: what the evaluation budget charges for one evaluation of it as a
    loop body or a function body."""
    if isinstance(tree, Node):
        return 1 + sum(node_count(getattr(tree, slot)) for slot in _slots(type(tree)))
    if isinstance(tree, tuple):
        return sum(node_count(item) for item in tree)
    return 0  # a name, a literal's value, a type


def _slots(cls: type) -> tuple[str, ...]:
    slots: list[str] = []
    for klass in cls.__mro__:
        slots.extend(getattr(klass, "__slots__", ()))
    return tuple(slots)
