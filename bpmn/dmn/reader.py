"""Reading a DMN file (DMN 1.1 to 1.5, as Camunda Modeler and the DMN TCK write them) into the
frozen model of `bpmn.dmn.model`, collecting every problem that would stop it from running:
FEEL that does not compile, references to nothing, unknown hit policies, cycles.
"""

from __future__ import annotations

from types import MappingProxyType

from lxml import etree

from bpmn.dmn import model as m
from bpmn.dmn.errors import DmnValidationError
from bpmn.dmn.expression_reader import ExpressionReader, child, children, local, split_tag
from bpmn.dmn.names import NameQuoter, awkward_names
from bpmn.errors import BpmnParseError, Problem
from bpmn.namespaces import zeebe
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
    uri, name = split_tag(root.tag)
    if uri not in _KNOWN or name != "definitions":
        found = f"'{name}'" + (f" in namespace '{uri}'" if uri else " without a namespace")
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


def _href_id(element: etree._Element, namespace: str = "") -> str:
    """`#id` → `id`, and `ns#id` too when `ns` is the model's own namespace; a reference into
    another model keeps its namespace part."""
    href = element.get("href", "")
    if href.startswith("#"):
        return href[1:]
    target, _, element_id = href.rpartition("#")
    return element_id if target and target == namespace else href


def _version_tag(decision: etree._Element) -> str:
    """The decision's `zeebe:versionTag` value, "" when it has none."""
    for tag in decision.iter(zeebe("versionTag")):
        value = (tag.get("value") or "").strip()
        if value:
            return value
    return ""


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
        self.expressions = ExpressionReader(self.problem, NameQuoter(()), None)
        self.namespace = ""

    def problem(self, element: etree._Element, message: str) -> None:
        line = element.sourceline if isinstance(element.sourceline, int) else None
        self.problems.add_at(_owning_id(element), _path(element), line, message)

    def read(self, root: etree._Element) -> tuple[m.DecisionRequirementsGraph, list[Problem]]:
        self.expressions = ExpressionReader(
            self.problem, NameQuoter(awkward_names(root)), root.get("expressionLanguage")
        )
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
            decisions=tuple(
                m.DecisionInfo(d.id, d.name, _version_tag(elements[d.id]))
                for d in decisions.values()
            ),
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
        logic_element = self.expressions.expression_element(element)
        if logic_element is None:
            # Zeebe refuses to deploy it; the lenient reader (the TCK) evaluates it to null
            self.problem(element, "The decision has no decision logic (a table or expression)")
        return m.Decision(
            id=element_id,
            name=name,
            type_ref=variable.get("typeRef") if variable is not None else None,
            logic=(
                self.expressions.expression(logic_element) if logic_element is not None else None
            ),
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
            logic=self.expressions.function_definition(logic) if logic is not None else None,
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
            allowed_values=self.expressions.unary_tests(allowed) if allowed is not None else None,
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


__all__ = ["DMN_NAMESPACES", "DmnValidationError", "parse_dmn", "read_dmn"]
