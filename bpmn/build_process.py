"""The second pass for one executable process: walk its scopes, build every flow node and
sequence flow, resolve `sourceRef`/`targetRef`/`default`/`attachedToRef` (which may point
forward), derive incoming and outgoing flows, and freeze the result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from lxml import etree

from bpmn.build_context import BuildContext
from bpmn.build_extensions import read_properties
from bpmn.build_listeners import read_execution_listeners
from bpmn.build_nodes import FLOW_NODE_TYPES, ScopeKind, build_flow_node, version_tag
from bpmn.document import bpmn_child, is_ncname, line_of, local_name, ref_id, text_of
from bpmn.expressions import Expression
from bpmn.model import ExecutableProcess, FlowNode, FlowScope, SequenceFlow, frozen_map
from bpmn.model_types import BpmnElementType, BpmnEventType
from bpmn.problems import element_path
from bpmn.rules_unsupported import check_process, check_sequence_flow

# Flow elements Zeebe does not execute, with the type name Zeebe's message uses.
UNSUPPORTED_ELEMENTS: Final = {
    "complexGateway": "ComplexGateway",
    "transaction": "Transaction",
    "adHocSubProcess": "AdHocSubProcess",
    "callChoreography": "CallChoreography",
    "choreographyTask": "ChoreographyTask",
    "subChoreography": "SubChoreography",
    "implicitThrowEvent": "ImplicitThrowEvent",
}

# Children of a process or subprocess that carry no execution semantics.
IGNORED_CHILDREN: Final = frozenset(
    {
        "documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef",
        "ioSpecification", "property", "laneSet", "textAnnotation", "association", "group",
        "dataObject", "dataObjectReference", "dataStoreReference", "resourceRole", "performer",
        "humanPerformer", "potentialOwner", "correlationSubscription", "supports", "ioBinding",
        "dataInputAssociation", "dataOutputAssociation", "incoming", "outgoing",
        "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    }
)  # fmt: skip


class ProcessBuilder:
    def __init__(self, ctx: BuildContext, process: etree._Element) -> None:
        self.ctx = ctx
        self.process = process
        self.process_id = process.get("id", "")
        self.nodes: dict[str, FlowNode] = {}
        self.flows: dict[str, SequenceFlow] = {}
        self.flow_elements: dict[str, etree._Element] = {}
        self.scopes: dict[str, FlowScope] = {}

    def build(self) -> ExecutableProcess:
        check_process(self.ctx, self.process)
        self._build_scope(self.process, self.process_id, ScopeKind.PROCESS)
        self._resolve_flows()
        self._link_nodes()
        root = self.scopes[self.process_id]
        return ExecutableProcess(
            bpmn_process_id=self.process_id,
            name=self.process.get("name") or None,
            version_tag=version_tag(self.ctx, self.process),
            line=line_of(self.process),
            elements=frozen_map(self.nodes),
            sequence_flows=frozen_map(self.flows),
            scopes=frozen_map(self.scopes),
            none_start_event_id=root.none_start_event_id,
            start_event_ids=root.start_event_ids,
            properties=read_properties(self.process),
            execution_listeners=read_execution_listeners(self.ctx, self.process),
        )

    def _build_scope(self, container: etree._Element, scope_id: str, kind: ScopeKind) -> None:
        element_ids: list[str] = []
        flow_ids: list[str] = []
        for child in container:
            local = local_name(child)
            if local is None or local in IGNORED_CHILDREN:
                continue
            if local in UNSUPPORTED_ELEMENTS:
                self.ctx.problem(
                    child,
                    f"Elements of type '{UNSUPPORTED_ELEMENTS[local]}' are currently not "
                    "supported. See docs/bpmn.md for the list of supported elements",
                )
                continue
            if local not in FLOW_NODE_TYPES and local != "sequenceFlow":
                self.ctx.problem(child, f"Unknown element '{local}' in a process")
                continue
            element_id = self._checked_id(child)
            if element_id is None:
                continue
            if local == "sequenceFlow":
                self._read_flow(child, element_id, scope_id)
                flow_ids.append(element_id)
                continue
            node = build_flow_node(self.ctx, child, local, scope_id, kind)
            self.nodes[element_id] = node
            element_ids.append(element_id)
            if node.element_type is BpmnElementType.SUB_PROCESS:
                self._build_scope(child, element_id, ScopeKind.SUB_PROCESS)
            elif node.element_type is BpmnElementType.EVENT_SUB_PROCESS:
                self._build_scope(child, element_id, ScopeKind.EVENT_SUB_PROCESS)
        starts = tuple(
            i for i in element_ids if self.nodes[i].element_type is BpmnElementType.START_EVENT
        )
        none_start = next(
            (i for i in starts if self.nodes[i].event_type is BpmnEventType.NONE), None
        )
        self.scopes[scope_id] = FlowScope(
            id=scope_id,
            element_ids=tuple(element_ids),
            start_event_ids=starts,
            none_start_event_id=none_start,
            event_subprocess_ids=tuple(
                i
                for i in element_ids
                if self.nodes[i].element_type is BpmnElementType.EVENT_SUB_PROCESS
            ),
            sequence_flow_ids=tuple(flow_ids),
        )

    def _checked_id(self, element: etree._Element) -> str | None:
        element_id = element.get("id")
        if not element_id:
            self.ctx.problem(element, "Attribute 'id' must be present and not empty")
            return None
        if not is_ncname(element_id):
            self.ctx.problem(
                element,
                f"Id '{element_id}' is not a valid XML NCName: it must start with a letter or "
                "'_' and contain only letters, digits, '_', '-' and '.'",
            )
        if element_id in self.nodes or element_id in self.flows:
            return None  # reported once, for the whole file, as a duplicate id
        return element_id

    def _read_flow(self, element: etree._Element, flow_id: str, scope_id: str) -> None:
        condition: Expression | None = None
        condition_element = bpmn_child(element, "conditionExpression")
        if condition_element is not None:
            condition = self.ctx.expression(
                condition_element,
                text_of(condition_element),
                "conditionExpression",
                expression_only=True,
            )
        check_sequence_flow(self.ctx, element)
        self.flow_elements[flow_id] = element
        self.flows[flow_id] = SequenceFlow(
            id=flow_id,
            name=element.get("name") or None,
            source_id=ref_id(element.get("sourceRef")) or "",
            target_id=ref_id(element.get("targetRef")) or "",
            flow_scope_id=scope_id,
            line=line_of(element),
            element_path=element_path(element),
            # A condition that failed to compile still marks the flow as conditional, so the
            # gateway rules do not add a misleading "must have a condition" on top.
            condition=condition
            if condition is not None or condition_element is None
            else Expression(text_of(condition_element) or "", True),
        )

    def _resolve_flows(self) -> None:
        for flow_id, flow in list(self.flows.items()):
            element = self.flow_elements[flow_id]
            resolved = True
            for attribute, target in (("sourceRef", flow.source_id), ("targetRef", flow.target_id)):
                if not target:
                    self.ctx.problem(
                        element, f"SequenceFlow is missing required attribute {attribute}"
                    )
                    resolved = False
                elif target not in self.nodes:
                    self.ctx.problem(
                        element,
                        f"SequenceFlow has {attribute} '{target}' which cannot be resolved",
                    )
                    resolved = False
            if not resolved:
                del self.flows[flow_id]
                continue
            source, target_node = self.nodes[flow.source_id], self.nodes[flow.target_id]
            if source.flow_scope_id != flow.flow_scope_id or (
                target_node.flow_scope_id != flow.flow_scope_id
            ):
                self.ctx.problem(
                    element,
                    "SequenceFlow must connect elements of its own scope: "
                    f"'{flow.source_id}' and '{flow.target_id}' are not both in "
                    f"'{flow.flow_scope_id}'",
                )
                del self.flows[flow_id]

    def _link_nodes(self) -> None:
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for flow in self.flows.values():
            outgoing.setdefault(flow.source_id, []).append(flow.id)
            incoming.setdefault(flow.target_id, []).append(flow.id)
        boundaries: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.element_type is BpmnElementType.BOUNDARY_EVENT and node.attached_to_id:
                boundaries.setdefault(node.attached_to_id, []).append(node.id)
        for node_id, node in self.nodes.items():
            self.nodes[node_id] = replace(
                node,
                incoming=tuple(incoming.get(node_id, ())),
                outgoing=tuple(outgoing.get(node_id, ())),
                boundary_event_ids=tuple(boundaries.get(node_id, ()))
                if node.element_type.is_activity
                else (),
            )
