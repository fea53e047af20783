"""Hypothesis strategies of the fuzz targets: JSON values, byte / XML / JSON mutations of real
inputs, and FEEL text generated from the grammar (bpmn/feel/parser.py) and its built-ins."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from bpmn.feel.builtins import BUILTINS

# ---------------------------------------------------------------------------- JSON values

INTERESTING_INTS = [
    0,
    -1,
    1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    10**40,
]
INTERESTING_STRINGS = [
    "",
    " ",
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "<default>",
    "a" * 300,
    "\x00",
    "\ud800",
    "é",
    "𝄞",
    "${x}",
    "=x",
    "= 1 +",
    "P1D",
    "R/PT1S",
    "2024-02-30T00:00:00Z",
    "<x/>",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(INTERESTING_INTS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(INTERESTING_STRINGS),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=20,
)


class Blob(bytes):
    """Bytes whose repr is short: Hypothesis prints inputs, and a BPMN file is long (the
    failing input itself is kept in a file, tests/fuzz/checks.py `saving`)."""

    def __repr__(self) -> str:
        head = bytes(self[:60])
        return f"Blob({len(self)} bytes: {head!r}...)"


class Seeds(tuple):  # type: ignore[type-arg]
    """Seed inputs with a short repr (strategies print their arguments)."""

    def __repr__(self) -> str:
        return f"<{len(self)} seeds>"


# ---------------------------------------------------------------------------- byte mutation


@st.composite
def mutated_bytes(draw: st.DrawFn, seeds: Sequence[bytes]) -> bytes:
    """One of `seeds` with a few byte-level edits (flip, insert, delete, duplicate, splice,
    truncate)."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        at = draw(st.integers(0, size))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "splice", "cut"]))
        if op == "flip" and size:
            at = min(at, size - 1)
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(
                st.one_of(
                    st.binary(max_size=16),
                    st.sampled_from([b"<", b">", b"/>", b'"', b"&", b"&amp;", b"\x00", b"\xff"]),
                )
            )
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            end = min(size, at + draw(st.integers(1, 256)))
            data[end:end] = data[at:end]
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start : start + draw(st.integers(1, 512))]
        elif op == "cut":
            del data[at:]
    return Blob(data)


# ---------------------------------------------------------------------------- XML mutation

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _attribute_values(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(INTERESTING_STRINGS),
        st.sampled_from(ids or ["x"]),
        st.text(max_size=12),
        feel_text.map(lambda text: "=" + text),
        st.sampled_from(["true", "false", "-5", "PT0S", "P-1D", "R-1/PT1S", "0 0 * * * *", "${a}"]),
    )


@st.composite
def mutated_xml(draw: st.DrawFn, seeds: Sequence[bytes]) -> bytes:
    """One of `seeds` parsed, with a few element/attribute edits: delete, duplicate or move an
    element, set or drop an attribute (values: ids of the document, FEEL, odd strings),
    change an element's text."""
    seed = draw(st.sampled_from(seeds))
    try:
        root = etree.fromstring(seed, _XML_PARSER)
    except etree.XMLSyntaxError:
        return Blob(seed)
    for _ in range(draw(st.integers(1, 5))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        element = draw(st.sampled_from(elements))
        ids = [e.get("id") for e in elements if e.get("id")]
        op = draw(st.sampled_from(["delete", "duplicate", "move", "set", "drop", "text", "rename"]))
        parent = element.getparent()
        try:
            _edit(draw, root, element, parent, elements, ids, op)
        except ValueError:  # lxml refuses the value (a NUL, an invalid name): not XML
            continue
    return Blob(etree.tostring(root))


def _edit(
    draw: st.DrawFn,
    root: Any,
    element: Any,
    parent: Any,
    elements: list[Any],
    ids: list[str],
    op: str,
) -> None:
    if op == "delete" and parent is not None:
        parent.remove(element)
    elif op == "duplicate" and parent is not None:
        parent.insert(parent.index(element), copy.deepcopy(element))
    elif op == "move" and parent is not None:
        target = draw(st.sampled_from(elements))
        if target is not element and element not in target.iterancestors():
            parent.remove(element)
            target.append(element)
    elif op == "set":
        names = [*element.attrib.keys(), "id", "name", "sourceRef", "targetRef", "attachedToRef"]
        element.set(draw(st.sampled_from(names)), draw(_attribute_values(ids)))
    elif op == "drop" and element.attrib:
        del element.attrib[draw(st.sampled_from(sorted(element.attrib.keys())))]
    elif op == "text":
        element.text = draw(_attribute_values(ids))
    elif op == "rename" and parent is not None:
        other = draw(st.sampled_from(elements))
        element.tag = other.tag


# ---------------------------------------------------------------------------- JSON mutation


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*path, index)))
    return found


@st.composite
def mutated_json(draw: st.DrawFn, seeds: Sequence[dict[str, Any]]) -> Any:
    """One of `seeds` with a few edits at random paths: replace with another JSON value (of
    another type, or an interesting number or string), delete, add an unknown key."""
    obj: Any = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(obj)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if not path:
            if op == "replace":
                obj = draw(json_values)
            continue
        parent = obj
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if op == "replace":
            parent[last] = draw(json_values)
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(json_values)
    return obj


# ---------------------------------------------------------------------------- FEEL text

_NAMES = ["x", "y", "items", "a b", "item", "?", "`odd name`", "partial", "date", "time"]
_FUNCTIONS = sorted(BUILTINS)
_TEMPORALS = [
    '@"2024-02-29"',
    '@"2024-13-01"',
    '@"10:30:00+01:00"',
    '@"2024-01-01T00:00:00@Europe/Paris"',
    '@"P1Y2M"',
    '@"PT-1H"',
    '@"P999999999Y"',
    'date("2024-01-31")',
    'duration("P1D")',
    'date and time("9999-12-31T23:59:59Z")',
    'time("24:00:00")',
    "now()",
    "today()",
]
_LITERALS = [
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1.5",
    ".5",
    "1e400",
    "-1e-400",
    "9" * 40,
    '""',
    '"a"',
    '"\\u0000"',
    '"\\ud800"',
    '"\\n"',
    "[]",
    "{}",
    *_TEMPORALS,
]
_BINARY = [
    "+",
    "-",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "and",
    "or",
    "..",
]
_UNARY_TESTS = ["-", "< 3", ">= x", "[1..5]", "(1..5)", "]1..5[", "not(1, 2)", '"a"', "null"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(children, children)
    three = st.tuples(children, children, children)
    name = st.sampled_from(_NAMES)
    return st.one_of(
        st.tuples(children, st.sampled_from(_BINARY), children).map(" ".join),
        children.map(lambda a: f"-{a}"),
        children.map(lambda a: f"({a})"),
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(name, children), max_size=3).map(
            lambda kvs: "{" + ", ".join(f"{k}: {v}" for k, v in kvs) + "}"
        ),
        st.tuples(st.sampled_from(_FUNCTIONS), st.lists(children, max_size=4)).map(
            lambda f: f"{f[0]}({', '.join(f[1])})"
        ),
        st.tuples(st.sampled_from(_FUNCTIONS), name, children).map(
            lambda f: f"{f[0]}({f[1]}: {f[2]})"
        ),
        three.map(lambda t: f"if {t[0]} then {t[1]} else {t[2]}"),
        st.tuples(name, children, children).map(lambda t: f"for {t[0]} in {t[1]} return {t[2]}"),
        st.tuples(st.sampled_from(["some", "every"]), name, children, children).map(
            lambda t: f"{t[0]} {t[1]} in {t[2]} satisfies {t[3]}"
        ),
        two.map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(children, name).map(lambda t: f"{t[0]}.{t[1]}"),
        three.map(lambda t: f"{t[0]} between {t[1]} and {t[2]}"),
        st.tuples(children, st.sampled_from(_UNARY_TESTS)).map(lambda t: f"{t[0]} in ({t[1]})"),
        st.tuples(
            children,
            st.sampled_from(
                [
                    "number",
                    "string",
                    "list<number>",
                    "context<a: number>",
                    "Any",
                    "function<number>->number",
                    "date",
                ]
            ),
        ).map(lambda t: f"{t[0]} instance of {t[1]}"),
        st.tuples(st.lists(name, max_size=2), children).map(
            lambda t: f"function({', '.join(t[0])}) {t[1]}"
        ),
        two.map(lambda t: f"({t[0]})({t[1]})"),
        two.map(
            lambda t: f"{{f: function(n) if n > 0 then f(n - 1) + {t[0]} else {t[1]}, r: f(30)}}.r"
        ),
        st.tuples(children, children).map(lambda t: f"{t[0]}..{t[1]}"),
    )


feel_text: st.SearchStrategy[str] = st.deferred(
    lambda: st.recursive(
        st.one_of(st.sampled_from(_LITERALS), st.sampled_from(_NAMES), st.integers().map(str)),
        _combine,
        max_leaves=12,
    )
)
"""Grammatical (mostly) FEEL: literals, names, every operator and control structure, calls of
every built-in function with positional and named arguments, recursion."""

_TOKENS = [
    *_BINARY,
    *_NAMES,
    *_LITERALS[:12],
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "?",
    "@",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "function",
    "instance",
    "of",
    "between",
    "not",
    "external",
    "/*",
    "*/",
    "//",
    "\n",
    '"',
    "`",
    "'",
    *_FUNCTIONS[:40],
]
token_soup = st.lists(st.sampled_from(_TOKENS), max_size=25).map(" ".join)
"""Random sequences of FEEL's tokens (mostly not FEEL: exercises the parser's errors)."""


@st.composite
def mutated_text(draw: st.DrawFn, seeds: Sequence[str]) -> str:
    """A seed expression with a few character edits or a splice of another expression."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "splice", "token"]))
        if op == "insert":
            text = text[:at] + draw(st.text(max_size=3)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            text = text[:at] + other[start : start + draw(st.integers(1, 40))] + text[at:]
        else:
            text = text[:at] + " " + draw(st.sampled_from(_TOKENS)) + " " + text[at:]
    return text
