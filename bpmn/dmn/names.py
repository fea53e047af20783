"""Names of a DMN model that FEEL's grammar cannot read on its own.

DMN lets an element be named `Extra days case 1`, `Date-Time` or `Student's name`, and FEEL
expressions use those names as they are: the grammar alone reads them as arithmetic or
stops at the digit, so a DMN engine resolves them by knowing the names in scope. Our FEEL
reads backtick-quoted names (`` `Date-Time` ``) as one name, so the reader quotes the
model's awkward names in each expression before compiling it (outside string literals).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from bpmn.feel import ast
from bpmn.feel.errors import FeelError
from bpmn.feel.parser import parse_expression

# elements whose `name` is a name FEEL expressions may use
_NAMED = frozenset(
    {
        "decision",
        "inputData",
        "businessKnowledgeModel",
        "decisionService",
        "variable",
        "formalParameter",
        "itemComponent",
        "column",
        "parameter",
    }
)


def _readable(name: str) -> bool:
    try:
        node = parse_expression(name)
    except (FeelError, RecursionError):
        return False
    return isinstance(node, ast.Name) and node.name == " ".join(name.split())


def awkward_names(root: etree._Element) -> tuple[str, ...]:
    """The names of the model's elements that FEEL would misread, longest first.

    A name like a path (`Person.Gender`) reads as a path everywhere but where it is a
    parameter:
    `function_scope_names` quotes those inside their function only."""
    names: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rpartition("}")[2]
        name = element.get("name")
        if local in _NAMED and name and _awkward(name) and not _path_like(name):
            names.add(name)
    return _longest_first(names)


def function_scope_names(parameters: Iterable[str]) -> tuple[str, ...]:
    """The parameters of a function definition that FEEL would misread in its body."""
    return _longest_first({name for name in parameters if name and _awkward(name)})


def _path_like(name: str) -> bool:
    """`Person.Gender`: names joined by dots, a path wherever it is not a parameter."""
    return "." in name and all(_readable(part) for part in name.split("."))


def _awkward(name: str) -> bool:
    return name.strip() == name and not _readable(name)


def _longest_first(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [re.escape(n) for n in names if "`" not in n]
    if not alternatives:
        return None
    # a string literal or a quoted name is skipped whole; a name stands between non-word chars
    return re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|(?<!\w)(?:' + "|".join(alternatives) + r")(?!\w)")


class NameQuoter:
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._pattern = _pattern(names)

    def with_names(self, names: tuple[str, ...]) -> NameQuoter:
        if not names:
            return self
        return NameQuoter(_longest_first({*self.names, *names}))

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text

        def replace(match: re.Match[str]) -> str:
            found = match.group(0)
            return found if found[0] in '"`' else f"`{found}`"

        return self._pattern.sub(replace, text)
