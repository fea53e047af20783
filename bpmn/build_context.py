"""What every builder function shares while turning one file into a model: the document
index, the problem collector and the expression compiler, plus the checks on attribute
values that Zeebe applies everywhere (present, expression or static, parseable FEEL).
"""

from __future__ import annotations

import re

from lxml import etree

from bpmn.document import Document
from bpmn.expressions import Expression, ExpressionCompiler, FeelCompileFailure, is_expression
from bpmn.problems import ProblemCollector

# A variable path as a mapping target: `a`, `a.b.c`; names as FEEL allows them, simplified.
_VARIABLE_PATH = re.compile(r"[^\W\d][\w]*(\.[^\W\d][\w]*)*", re.UNICODE)


def _shown(value: str) -> str:
    """A value as quoted in a message: blanks collapsed, long values cut."""
    text = " ".join(value.split())
    return text if len(text) <= 80 else text[:77] + "..."


def is_variable_path(value: str) -> bool:
    return bool(_VARIABLE_PATH.fullmatch(value))


class BuildContext:
    def __init__(
        self, document: Document, problems: ProblemCollector, compiler: ExpressionCompiler
    ) -> None:
        self.document = document
        self.problems = problems
        self.compiler = compiler

    def problem(self, element: etree._Element | None, message: str) -> None:
        self.problems.add(element, message)

    def expression(
        self,
        element: etree._Element,
        value: str | None,
        attribute: str,
        *,
        required: bool = True,
        expression_only: bool = False,
    ) -> Expression | None:
        """Check and compile one attribute value; report problems on `element`.

        `required`: absent or empty is a problem. `expression_only`: a static value is a
        problem (Zeebe's non-static rule: conditions, correlation keys, input collections).
        """
        if value is None or not value.strip():
            if required:
                self.problem(element, f"Attribute '{attribute}' must be present and not empty")
            return None
        if expression_only and not is_expression(value):
            self.problem(
                element,
                f"Expected an expression for '{attribute}' but found the static value "
                f"'{_shown(value)}'; an expression starts with '='",
            )
            return None
        try:
            return self.compiler.compile(value)
        except FeelCompileFailure as exc:
            at = f" at position {exc.position}" if exc.position is not None else ""
            self.problem(
                element,
                f"Failed to parse the expression '{_shown(value)}' of '{attribute}'{at}: "
                f"{exc.message}",
            )
            return None

    def variable_path(
        self, element: etree._Element, value: str | None, attribute: str
    ) -> str | None:
        if value is None or not value.strip():
            self.problem(element, f"Attribute '{attribute}' must be present and not empty")
            return None
        if not is_variable_path(value.strip()):
            self.problem(
                element,
                f"Expected a variable name or path (e.g. 'order.total') for '{attribute}' "
                f"but found '{value}'",
            )
            return None
        return value.strip()

    def single_extension(
        self, owner: etree._Element, found: list[etree._Element], name: str
    ) -> etree._Element | None:
        """The only `zeebe:<name>` of `owner`; more than one is a problem."""
        if len(found) > 1:
            self.problem(owner, f"Must have at most one 'zeebe:{name}' extension element")
        return found[0] if found else None
