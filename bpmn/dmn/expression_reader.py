"""Reading DMN's boxed expressions (literal expressions, contexts, lists, relations,
invocations, function definitions, decision tables, DMN 1.5's conditional, filter and
iterators) into `bpmn.dmn.model`, compiling their FEEL and reporting what does not compile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from bpmn.dmn import model as m
from bpmn.dmn.names import NameQuoter, function_scope_names
from bpmn.feel import FeelError, compile_expression, compile_unary_tests

_EXPRESSION_KINDS = frozenset(
    {
        "literalExpression",
        "context",
        "list",
        "invocation",
        "functionDefinition",
        "relation",
        "decisionTable",
        "conditional",
        "filter",
        "for",
        "some",
        "every",
    }
)


def split_tag(tag: object) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def local(element: etree._Element) -> str:
    return split_tag(element.tag)[1]


def children(element: etree._Element, name: str | None = None) -> Iterator[etree._Element]:
    for item in element:
        if isinstance(item.tag, str) and (name is None or local(item) == name):
            yield item


def child(element: etree._Element, name: str) -> etree._Element | None:
    return next(children(element, name), None)


def _text(element: etree._Element | None) -> str:
    """The FEEL text of an element with a <text> child (or, in old files, its own text)."""
    if element is None:
        return ""
    text = child(element, "text")
    if text is not None:
        return (text.text or "").strip()
    return (element.text or "").strip()


def _is_feel(language: str | None) -> bool:
    return not language or "feel" in language.lower()


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "..."


class ExpressionReader:
    """Reads the expressions of one file; `problem(element, message)` collects what is wrong."""

    def __init__(
        self,
        problem: Callable[[etree._Element, str], None],
        quote: NameQuoter,
        expression_language: str | None,
    ) -> None:
        self.problem = problem
        self.quote = quote
        self._expression_language = expression_language

    def expression_element(self, element: etree._Element) -> etree._Element | None:
        return next((c for c in children(element) if local(c) in _EXPRESSION_KINDS), None)

    def optional(self, element: etree._Element | None) -> m.Expression | None:
        """The expression inside a wrapper element (context entry, binding, if, in, ...)."""
        if element is None:
            return None
        inner = self.expression_element(element)
        return self.expression(inner) if inner is not None else None

    def expression(self, element: etree._Element) -> m.Expression:
        kind = local(element)
        element_id = element.get("id")
        type_ref = element.get("typeRef")
        if kind == "literalExpression":
            return self.literal(element)
        if kind == "context":
            entries = []
            for entry in children(element, "contextEntry"):
                variable = child(entry, "variable")
                entries.append(
                    m.ContextEntry(
                        variable.get("name", "") if variable is not None else None,
                        variable.get("typeRef") if variable is not None else None,
                        self.optional(entry),
                    )
                )
            return m.Context(element_id, type_ref, tuple(entries))
        if kind == "list":
            items = tuple(
                self.expression(c) for c in children(element) if local(c) in _EXPRESSION_KINDS
            )
            return m.ListExpression(element_id, type_ref, items)
        if kind == "relation":
            columns = tuple(c.get("name", "") for c in children(element, "column"))
            rows = []
            for row in children(element, "row"):
                cells = tuple(
                    self.expression(c) for c in children(row) if local(c) in _EXPRESSION_KINDS
                )
                if len(cells) != len(columns):
                    self.problem(row, f"The row has {len(cells)} cells for {len(columns)} columns")
                rows.append(cells)
            return m.Relation(element_id, type_ref, columns, tuple(rows))
        if kind == "invocation":
            bindings = []
            for binding in children(element, "binding"):
                parameter = child(binding, "parameter")
                bindings.append(
                    (
                        parameter.get("name", "") if parameter is not None else "",
                        self.optional(binding),
                    )
                )
            return m.Invocation(element_id, type_ref, self.optional(element), tuple(bindings))
        if kind == "functionDefinition":
            return self.function_definition(element)
        if kind == "decisionTable":
            return self.decision_table(element)
        if kind == "conditional":
            return m.Conditional(
                element_id,
                type_ref,
                self.optional(child(element, "if")),
                self.optional(child(element, "then")),
                self.optional(child(element, "else")),
            )
        if kind == "filter":
            return m.Filter(
                element_id,
                type_ref,
                self.optional(child(element, "in")),
                self.optional(child(element, "match")),
            )
        if kind in ("for", "some", "every"):
            body = child(element, "return" if kind == "for" else "satisfies")
            return m.Iterator(
                element_id,
                type_ref,
                kind,
                element.get("iteratorVariable", ""),
                self.optional(child(element, "in")),
                self.optional(body),
            )
        self.problem(element, f"A {kind} expression is not supported")  # pragma: no cover
        return m.Broken(element_id, type_ref, f"a {kind} expression is not supported")

    def literal(self, element: etree._Element) -> m.Literal | m.Broken:
        element_id = element.get("id")
        type_ref = element.get("typeRef")
        language = element.get("expressionLanguage") or self._expression_language
        text = _text(element)
        if not _is_feel(language):
            message = f"The expression language '{language}' is not supported (only FEEL)"
            self.problem(element, message)
            return m.Broken(element_id, type_ref, message)
        if not text:
            return m.Literal(element_id, type_ref, text, None)
        try:
            return m.Literal(element_id, type_ref, text, compile_expression(self.quote(text)))
        except FeelError as error:
            message = f"The expression '{_short(text)}' is not valid FEEL: {error}"
            self.problem(element, message)
            return m.Broken(element_id, type_ref, message)

    def unary_tests(self, element: etree._Element) -> m.UnaryTests:
        text = _text(element)
        language = element.get("expressionLanguage")
        if not _is_feel(language):
            message = f"The expression language '{language}' is not supported (only FEEL)"
            self.problem(element, message)
            return m.UnaryTests(text, None, message)
        if not text or text == "-":
            return m.UnaryTests(text, None)
        try:
            return m.UnaryTests(text, compile_unary_tests(self.quote(text)))
        except FeelError as error:
            message = f"The unary tests '{_short(text)}' are not valid FEEL: {error}"
            self.problem(element, message)
            return m.UnaryTests(text, None, message)

    def function_definition(self, element: etree._Element) -> m.Expression:
        element_id = element.get("id")
        type_ref = element.get("typeRef")
        kind = element.get("kind", "FEEL")
        if kind != "FEEL":
            message = f"{kind} functions are not supported (only FEEL)"
            self.problem(element, message)
            return m.Broken(element_id, type_ref, message)
        parameters = tuple(
            m.Parameter(p.get("name", ""), p.get("typeRef"))
            for p in children(element, "formalParameter")
        )
        body = self.expression_element(element)
        outer = self.quote
        self.quote = outer.with_names(function_scope_names(p.name for p in parameters))
        try:
            logic = self.expression(body) if body is not None else None
        finally:
            self.quote = outer
        return m.FunctionDefinition(element_id, type_ref, kind, parameters, logic)

    def decision_table(self, element: etree._Element) -> m.Expression:
        element_id = element.get("id")
        type_ref = element.get("typeRef")
        policy_text = element.get("hitPolicy", "UNIQUE")
        policy = next((p for p in m.HitPolicy if p.value == policy_text), None)
        if policy is None:
            message = f"The hit policy '{policy_text}' is unknown; expected one of " + ", ".join(
                p.value for p in m.HitPolicy
            )
            self.problem(element, message)
            return m.Broken(element_id, type_ref, message)
        aggregation: m.Aggregation | None = None
        aggregation_text = element.get("aggregation")
        if aggregation_text:
            aggregation = next((a for a in m.Aggregation if a.value == aggregation_text), None)
            if aggregation is None:
                message = (
                    f"The aggregation '{aggregation_text}' is unknown;"
                    " expected SUM, MIN, MAX or COUNT"
                )
                self.problem(element, message)
                return m.Broken(element_id, type_ref, message)
        inputs = []
        for clause in children(element, "input"):
            expression_element = child(clause, "inputExpression")
            if expression_element is None:
                self.problem(clause, "The input has no input expression")
                expression: m.Expression = m.Broken(None, None, "input without an expression")
            else:
                expression = self.literal(expression_element)
            values = child(clause, "inputValues")
            inputs.append(
                m.TableInput(
                    clause.get("id"),
                    clause.get("label") or _text(expression_element) or (clause.get("id") or ""),
                    expression,
                    expression_element.get("typeRef") if expression_element is not None else None,
                    self.unary_tests(values) if values is not None else None,
                )
            )
        outputs = []
        output_clauses = list(children(element, "output"))
        for clause in output_clauses:
            name = clause.get("name", "")
            if not name and len(output_clauses) > 1:
                self.problem(clause, "An output of a table with several outputs needs a name")
            values = child(clause, "outputValues")
            default = child(clause, "defaultOutputEntry")
            outputs.append(
                m.TableOutput(
                    clause.get("id"),
                    name,
                    clause.get("label") or name,
                    clause.get("typeRef"),
                    self.output_values(values) if values is not None else None,
                    self.literal(default) if default is not None else None,
                )
            )
        if not outputs:
            self.problem(element, "The decision table has no output")
        if aggregation is not None and policy is m.HitPolicy.COLLECT and len(outputs) > 1:
            self.problem(
                element,
                f"Hit policy COLLECT with {aggregation.value} needs one output, but the table"
                f" has {len(outputs)}",
            )
        rules = []
        for index, rule in enumerate(children(element, "rule"), start=1):
            entries = tuple(self.unary_tests(e) for e in children(rule, "inputEntry"))
            results = tuple(self.literal(e) for e in children(rule, "outputEntry"))
            if len(entries) != len(inputs):
                self.problem(
                    rule, f"The rule has {len(entries)} input entries for {len(inputs)} inputs"
                )
            if len(results) != len(outputs):
                self.problem(
                    rule, f"The rule has {len(results)} output entries for {len(outputs)} outputs"
                )
            rules.append(m.Rule(rule.get("id"), index, entries, results))
        return m.DecisionTable(
            element_id, type_ref, policy, aggregation, tuple(inputs), tuple(outputs), tuple(rules)
        )

    def output_values(self, element: etree._Element) -> m.Expression:
        """`"high","low"`: the values PRIORITY and OUTPUT ORDER rank by, as a FEEL list."""
        text = _text(element)
        try:
            return m.Literal(element.get("id"), None, text, compile_expression(f"[{text}]"))
        except FeelError as error:
            message = f"The output values '{_short(text)}' are not a list of FEEL values: {error}"
            self.problem(element, message)
            return m.Broken(element.get("id"), None, message)
