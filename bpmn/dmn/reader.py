"""Reading a DMN file (DMN 1.1 to 1.5, as Camunda Modeler and the DMN TCK write them) into the
frozen model of `bpmn.dmn.model`, collecting every problem that would stop it from running:
FEEL that does not compile, references to nothing, unknown hit policies, cycles.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from lxml import etree

from bpmn.dmn import model as m
from bpmn.dmn.errors import DmnValidationError
from bpmn.dmn.names import NameQuoter, awkward_names, function_scope_names
from bpmn.errors import BpmnParseError, Problem
from bpmn.feel import FeelError, compile_expression, compile_unary_tests
from bpmn.problems import ProblemCollector
from bpmn.xml_reader import DEFAULT_MAX_BYTES, read_untrusted_xml

DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",  # 1.1 (Camunda Modeler for Camunda 7)
    "http://www.omg.org/spec/DMN/20180521/MODEL/",  # 1.2
    "https://www.omg.org/spec/DMN/20191111/MODEL/",  # 1.3 (Camunda Modeler 4+)
    "https://www.omg.org/spec/DMN/20211108/MODEL/",  # 1.4
    "https://www.omg.org/spec/DMN/20230324/MODEL/",  # 1.5
)
_KNOWN = frozenset(DMN_NAMESPACES) | {n.replace("https:", "http:") for n in DMN_NAMESPACES}

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
_SKIPPED_IN_PATH = frozenset({"definitions", "text"})


def parse_dmn(
    data: bytes, resource_name: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> m.DecisionRequirementsGraph:
    """Read and validate a DMN file; raises BpmnParseError or DmnValidationError."""
    graph, problems = read_dmn(data, resource_name, max_bytes=max_bytes)
    if problems:
        raise DmnValidationError(resource_name, problems)
    return graph


def read_dmn(
    data: bytes, resource_name: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[m.DecisionRequirementsGraph, list[Problem]]:
    """Read a DMN file leniently: the model (broken parts kept as `Broken`) and its problems.

    Raises BpmnParseError when the bytes are not a DMN document at all."""
    root = read_untrusted_xml(data, resource_name, max_bytes=max_bytes, kind="DMN")
    uri, local = _split(root.tag)
    if uri not in _KNOWN or local != "definitions":
        found = f"'{local}'" + (f" in namespace '{uri}'" if uri else " without a namespace")
        raise BpmnParseError(
            resource_name,
            f"Not a DMN document: the root element is {found}, expected 'definitions' in a "
            "DMN 1.1-1.5 namespace",
            root.sourceline if isinstance(root.sourceline, int) else None,
        )
    try:
        return _Reader(resource_name).read(root)
    except RecursionError:  # libxml2 bounds the depth; a deep caller stack may not leave room
        raise BpmnParseError(resource_name, "The DMN document is nested too deeply") from None


def _split(tag: object) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def local(element: etree._Element) -> str:
    return _split(element.tag)[1]


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


def _href_id(element: etree._Element, namespace: str = "") -> str:
    """`#id` → `id`, and `ns#id` too when `ns` is the model's own namespace; a reference into
    another model keeps its namespace part."""
    href = element.get("href", "")
    if href.startswith("#"):
        return href[1:]
    target, _, element_id = href.rpartition("#")
    return element_id if target and target == namespace else href


def _is_feel(language: str | None) -> bool:
    return not language or "feel" in language.lower()


def _path(element: etree._Element) -> str:
    parts: list[str] = []
    for node in reversed([element, *element.iterancestors()]):
        name = local(node)
        if not name or name in _SKIPPED_IN_PATH:
            continue
        element_id = node.get("id")
        parts.append(f"{name} '{element_id}'" if element_id else name)
    return " > ".join(parts)


def _owning_id(element: etree._Element) -> str | None:
    for node in (element, *element.iterancestors()):
        if node.get("id") and local(node) != "definitions":
            return node.get("id")
    return None


class _Reader:
    def __init__(self, resource_name: str) -> None:
        self.resource_name = resource_name
        self.problems = ProblemCollector(resource_name)
        self._expression_language: str | None = None
        self.quote = NameQuoter(())
        self.namespace = ""

    def problem(self, element: etree._Element, message: str) -> None:
        line = element.sourceline if isinstance(element.sourceline, int) else None
        self.problems.add_at(_owning_id(element), _path(element), line, message)

    def read(self, root: etree._Element) -> tuple[m.DecisionRequirementsGraph, list[Problem]]:
        self._expression_language = root.get("expressionLanguage")
        self.quote = NameQuoter(awkward_names(root))
        self.namespace = root.get("namespace", "")
        decisions: dict[str, m.Decision] = {}
        bkms: dict[str, m.BusinessKnowledgeModel] = {}
        services: dict[str, m.DecisionService] = {}
        inputs: dict[str, m.InputData] = {}
        types: dict[str, m.ItemDefinition] = {}
        elements: dict[str, etree._Element] = {}
        for element in children(root):
            kind = local(element)
            element_id = element.get("id", "")
            name = element.get("name", "") or element_id
            if kind in ("decision", "businessKnowledgeModel", "decisionService", "inputData"):
                if not element_id:
                    self.problem(element, f"A {kind} needs an id")
                    element_id = name  # read on (the lenient reader's callers use names)
                if element_id in elements:
                    self.problem(element, f"The id '{element_id}' is used twice")
                    continue
                elements[element_id] = element
            if kind == "decision":
                decisions[element_id] = self.decision(element, element_id, name)
            elif kind == "businessKnowledgeModel":
                bkms[element_id] = self.bkm(element, element_id, name)
            elif kind == "decisionService":
                services[element_id] = self.service(element, element_id, name)
            elif kind == "inputData":
                variable = child(element, "variable")
                inputs[element_id] = m.InputData(
                    element_id, name, variable.get("typeRef") if variable is not None else None
                )
            elif kind == "itemDefinition":
                definition = self.item_definition(element)
                types[definition.name] = definition
        self.check_references(decisions, bkms, services, inputs, elements)
        self.check_cycles(decisions, elements)
        definitions_id = root.get("id", "") or self.resource_name
        graph = m.DecisionRequirementsGraph(
            id=definitions_id,
            name=root.get("name", "") or definitions_id,
            namespace=root.get("namespace", ""),
            resource_name=self.resource_name,
            decisions=tuple(m.DecisionInfo(d.id, d.name) for d in decisions.values()),
            decision_models=MappingProxyType(decisions),
            knowledge_models=MappingProxyType(bkms),
            services=MappingProxyType(services),
            input_data=MappingProxyType(inputs),
            item_definitions=MappingProxyType(types),
        )
        return graph, self.problems.sorted()

    # ------------------------------------------------------------------ DRG elements

    def decision(self, element: etree._Element, element_id: str, name: str) -> m.Decision:
        required_decisions: list[str] = []
        required_inputs: list[str] = []
        for requirement in children(element, "informationRequirement"):
            for reference in children(requirement):
                if local(reference) == "requiredDecision":
                    required_decisions.append(_href_id(reference, self.namespace))
                elif local(reference) == "requiredInput":
                    required_inputs.append(_href_id(reference, self.namespace))
        variable = child(element, "variable")
        logic_element = self.expression_element(element)
        if logic_element is None:
            # Zeebe refuses to deploy it; the lenient reader (the TCK) evaluates it to null
            self.problem(element, "The decision has no decision logic (a table or expression)")
        return m.Decision(
            id=element_id,
            name=name,
            type_ref=variable.get("typeRef") if variable is not None else None,
            logic=self.expression(logic_element) if logic_element is not None else None,
            required_decisions=tuple(required_decisions),
            required_knowledge=self.knowledge_requirements(element),
            required_inputs=tuple(required_inputs),
            line=element.sourceline if isinstance(element.sourceline, int) else None,
            variable_name=(variable.get("name") or None) if variable is not None else None,
        )

    def knowledge_requirements(self, element: etree._Element) -> tuple[str, ...]:
        return tuple(
            _href_id(reference, self.namespace)
            for requirement in children(element, "knowledgeRequirement")
            for reference in children(requirement, "requiredKnowledge")
        )

    def bkm(self, element: etree._Element, element_id: str, name: str) -> m.BusinessKnowledgeModel:
        variable = child(element, "variable")
        logic = child(element, "encapsulatedLogic")
        return m.BusinessKnowledgeModel(
            id=element_id,
            name=name,
            type_ref=variable.get("typeRef") if variable is not None else None,
            logic=self.function_definition(logic) if logic is not None else None,
            required_knowledge=self.knowledge_requirements(element),
        )

    def service(self, element: etree._Element, element_id: str, name: str) -> m.DecisionService:
        def refs(kind: str) -> tuple[str, ...]:
            return tuple(_href_id(r, self.namespace) for r in children(element, kind))

        variable = child(element, "variable")
        return m.DecisionService(
            id=element_id,
            name=name,
            type_ref=variable.get("typeRef") if variable is not None else None,
            output_decisions=refs("outputDecision"),
            encapsulated_decisions=refs("encapsulatedDecision"),
            input_decisions=refs("inputDecision"),
            input_data=refs("inputData"),
        )

    def item_definition(self, element: etree._Element) -> m.ItemDefinition:
        type_ref_element = child(element, "typeRef")
        type_ref = (
            (type_ref_element.text or "").strip() or None
            if type_ref_element is not None
            else element.get("typeRef")
        )
        allowed = child(element, "allowedValues")
        return m.ItemDefinition(
            name=element.get("name", ""),
            type_ref=type_ref,
            collection=element.get("isCollection") == "true",
            components=tuple(self.item_definition(c) for c in children(element, "itemComponent")),
            allowed_values=self.unary_tests(allowed) if allowed is not None else None,
            function=child(element, "functionItem") is not None,
        )

    def check_references(
        self,
        decisions: dict[str, m.Decision],
        bkms: dict[str, m.BusinessKnowledgeModel],
        services: dict[str, m.DecisionService],
        inputs: dict[str, m.InputData],
        elements: dict[str, etree._Element],
    ) -> None:
        for decision in decisions.values():
            element = elements[decision.id]
            for required in decision.required_decisions:
                if required not in decisions:
                    self.problem(element, f"Requires the decision '{required}', which is not here")
            for required in decision.required_inputs:
                if required not in inputs:
                    self.problem(element, f"Requires the input '{required}', which is not here")
        owners: list[m.Decision | m.BusinessKnowledgeModel] = [*decisions.values(), *bkms.values()]
        for owner in owners:
            for required in owner.required_knowledge:
                if required not in bkms and required not in services:
                    self.problem(
                        elements[owner.id],
                        f"Requires the business knowledge model '{required}', which is not here",
                    )

    def check_cycles(
        self, decisions: dict[str, m.Decision], elements: dict[str, etree._Element]
    ) -> None:
        state: dict[str, int] = {}  # 1: on the path, 2: done

        def visit(decision_id: str, path: list[str]) -> None:
            state[decision_id] = 1
            path.append(decision_id)
            for required in decisions[decision_id].required_decisions:
                if required not in decisions:
                    continue
                if state.get(required) == 1:
                    cycle = [*path[path.index(required) :], required]
                    self.problem(
                        elements[required],
                        "The decisions require each other in a cycle: " + " -> ".join(cycle),
                    )
                elif required not in state:
                    visit(required, path)
            path.pop()
            state[decision_id] = 2

        for decision_id in decisions:
            if decision_id not in state:
                visit(decision_id, [])

    # ------------------------------------------------------------------ expressions

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


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "..."


__all__ = ["DMN_NAMESPACES", "DmnValidationError", "parse_dmn", "read_dmn"]
