"""Zeebe's rules that look across elements, checked on a built process: start events per
scope, conditions on gateway flows, boundary attachments, event-based gateway targets,
duplicate message/signal/error/escalation catchers in one scope, and link pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from bpmn.model import ExecutableProcess, FlowNode, FlowScope, SequenceFlow
from bpmn.model_parts import ListenerEventType
from bpmn.model_types import BpmnElementType as T
from bpmn.model_types import BpmnEventType as E
from bpmn.problems import ProblemCollector

_Report = Callable[[str], None]


class GraphRules:
    def __init__(self, process: ExecutableProcess, problems: ProblemCollector) -> None:
        self.process = process
        self.problems = problems
        self.nodes = process.elements
        self.flows = process.sequence_flows

    def on(self, node: FlowNode | SequenceFlow, message: str) -> None:
        self.problems.add_at(node.id, node.element_path, node.line, message)

    def on_process(self, message: str) -> None:
        self.problems.add_at(
            self.process.bpmn_process_id,
            f"process '{self.process.bpmn_process_id}'",
            self.process.line,
            message,
        )

    def check(self) -> None:
        root = self.process.root_scope
        if not root.start_event_ids:
            self.on_process("Must have at least one start event")
        elif sum(1 for i in root.start_event_ids if self.nodes[i].event_type is E.NONE) > 1:
            self.on_process("Multiple none start events are not allowed")
        self._start_events_of_process(root)
        for scope in self.process.scopes.values():
            self._scope(scope)
        for node in self.nodes.values():
            self._node(node)
        for flow in self.flows.values():
            self._flow(flow)

    # -- scopes ------------------------------------------------------------------------------

    def _start_events_of_process(self, root: FlowScope) -> None:
        starts = [self.nodes[i] for i in root.start_event_ids]
        messages = [n for n in starts if n.message is not None]
        by_message = Counter(n.message.message_id for n in messages if n.message)
        for node in messages:
            if node.message and by_message[node.message.message_id] > 1:
                self.on(node, "A message cannot be referred by more than one start event")
        distinct = {n.message.message_id: n for n in messages if n.message}
        self._duplicates(distinct.values(), self.on_process)
        self._duplicate_signals([n for n in starts if n.signal], self.on_process)

    def _scope(self, scope: FlowScope) -> None:
        owner = self.nodes.get(scope.id)
        if owner is not None and owner.element_type in (T.SUB_PROCESS, T.EVENT_SUB_PROCESS):
            if len(scope.start_event_ids) != 1:
                self.on(owner, "Must have exactly one start event")
            if owner.element_type is T.EVENT_SUB_PROCESS and (owner.incoming or owner.outgoing):
                self.on(
                    owner, "Event subprocesses must not have incoming or outgoing sequence flows"
                )
        report = self.on_process if owner is None else (lambda m: self.on(owner, m))
        starts = (
            [
                self.nodes[s]
                for esp in scope.event_subprocess_ids
                for s in self.process.scopes[esp].start_event_ids
            ]
            if scope.event_subprocess_ids and scope.id in self.process.scopes
            else []
        )
        self._duplicate_catchers(starts, report)
        self._links(scope, report)

    def _links(self, scope: FlowScope, report: _Report) -> None:
        members = [self.nodes[i] for i in scope.element_ids]
        catch_names = [
            n.link_name
            for n in members
            if n.element_type is T.INTERMEDIATE_CATCH_EVENT and n.link_name
        ]
        for name, count in Counter(catch_names).items():
            if count > 1:
                report(
                    "Multiple intermediate catch link event definitions with the same name "
                    f"'{name}' are not allowed."
                )
        for node in members:
            throws_link = node.element_type is T.INTERMEDIATE_THROW_EVENT and node.link_name
            if throws_link and node.link_name not in catch_names:
                report(
                    "Can't find an catch link event for the throw link event with the name "
                    f"'{node.link_name}'."
                )

    # -- nodes -------------------------------------------------------------------------------

    def _node(self, node: FlowNode) -> None:
        kind = node.element_type
        if kind is T.START_EVENT and node.incoming:
            self.on(node, "Start events must not have incoming sequence flows")
        if kind is T.END_EVENT and node.outgoing:
            self.on(node, "End events must not have outgoing sequence flows to other elements.")
        if kind is T.BOUNDARY_EVENT:
            self._boundary(node)
        if kind.is_activity and node.boundary_event_ids:
            attached = [self.nodes[i] for i in node.boundary_event_ids]
            self._duplicate_catchers(attached, lambda m: self.on(node, m))
            if kind is T.RECEIVE_TASK and node.message is not None:
                names = {b.message.name.source for b in attached if b.message}
                if node.message.name.source in names:
                    self.on(node, "Cannot reference the same message name as a boundary event")
        if kind in (T.EXCLUSIVE_GATEWAY, T.INCLUSIVE_GATEWAY) and node.default_flow_id:
            flow = self.flows.get(node.default_flow_id)
            if flow is None:
                self.on(node, f"Default flow '{node.default_flow_id}' cannot be resolved")
            elif flow.source_id != node.id:
                self.on(node, "Default flow must start at gateway")
        conditions_allowed = kind in (T.EXCLUSIVE_GATEWAY, T.INCLUSIVE_GATEWAY)
        if not conditions_allowed and any(
            self.flows[f].condition is not None for f in node.outgoing
        ):
            self.on(
                node,
                "Conditional sequence flows are only supported at exclusive or inclusive gateway",
            )
        if kind is T.EVENT_BASED_GATEWAY:
            self._event_gateway(node)

    def _boundary(self, node: FlowNode) -> None:
        if node.incoming:
            self.on(node, "Cannot have incoming sequence flows")
        host = self.nodes.get(node.attached_to_id or "")
        if (
            host is None
            or not host.element_type.is_activity
            or (host.flow_scope_id != node.flow_scope_id)
        ):
            self.on(node, "Must be attached to an activity")
        elif node.event_type is E.ESCALATION and host.element_type not in (
            T.SUB_PROCESS,
            T.CALL_ACTIVITY,
        ):
            self.on(
                node,
                "An escalation boundary event should only be attached to a subprocess, or a "
                "call activity.",
            )

    def _event_gateway(self, node: FlowNode) -> None:
        if len(node.outgoing) < 2:
            self.on(node, "Event-based gateway must have at least 2 outgoing sequence flows.")
        targets = [self.nodes[self.flows[f].target_id] for f in node.outgoing]
        if not all(
            t.element_type is T.INTERMEDIATE_CATCH_EVENT
            and t.event_type in (E.MESSAGE, E.TIMER, E.SIGNAL)
            for t in targets
        ):
            self.on(
                node,
                "Event-based gateway must not have an outgoing sequence flow to other elements "
                "than message/timer/signal intermediate catch events.",
            )
        self._duplicates([t for t in targets if t.message], lambda m: self.on(node, m))
        self._duplicate_signals([t for t in targets if t.signal], lambda m: self.on(node, m))
        for target in targets:
            if target.io_mappings.inputs:
                self.on(
                    target,
                    "An input mapping on an event after an event-based gateway is not supported "
                    "by Honeyflow: only output mappings apply",
                )
        if any(self.flows[f].source_id != node.id for t in targets for f in t.incoming):
            self.on(
                node,
                "Target elements of an event gateway must not have any additional incoming "
                "sequence flows other than that from the event gateway.",
            )
        for target in targets:
            if any(li.event_type is ListenerEventType.START for li in target.execution_listeners):
                # Such an event enters with its event already there (no activation to hold).
                self.on(
                    target,
                    "Execution listeners of type 'start' on an event after an event-based "
                    "gateway are not supported by Honeyflow; put them on the gateway",
                )

    # -- flows -------------------------------------------------------------------------------

    def _flow(self, flow: SequenceFlow) -> None:
        source = self.nodes[flow.source_id]
        if len(source.outgoing) <= 1 or flow.condition is not None:
            return
        if source.default_flow_id == flow.id:
            return
        if source.element_type is T.EXCLUSIVE_GATEWAY:
            self.on(flow, "Must have a condition or be default flow")
        elif source.element_type is T.INCLUSIVE_GATEWAY:
            self.on(flow, "Must have a condition")

    # -- duplicates --------------------------------------------------------------------------

    def _duplicate_catchers(self, events: list[FlowNode], report: _Report) -> None:
        self._duplicates([e for e in events if e.message], report)
        self._duplicate_signals([e for e in events if e.signal], report)
        errors = [e.error for e in events if e.event_type is E.ERROR and e.error]
        codes = Counter(e.code.source if e.code else None for e in errors)
        for code, count in codes.items():
            if count > 1 and code is None:
                report(
                    "The same scope can not contain more than one error catch event without "
                    "error code. An error catch event without error code catches all errors."
                )
            elif count > 1:
                report(
                    f"Multiple error catch events with the same error code '{code}' are not "
                    "supported on the same scope."
                )
        escalations = [
            e.escalation for e in events if e.event_type is E.ESCALATION and e.escalation
        ]
        codes = Counter(e.code.source if e.code else None for e in escalations)
        for code, count in codes.items():
            if count > 1 and code is None:
                report(
                    "The same scope can not contain more than one escalation catch event without "
                    "escalation code. An escalation catch event without escalation code catches "
                    "all escalations."
                )
            elif count > 1:
                report(
                    f"Multiple escalation catch events with the same escalation code '{code}' are "
                    "not supported on the same scope."
                )

    @staticmethod
    def _duplicates(events: Iterable[FlowNode], report: _Report) -> None:
        names = Counter(e.message.name.source for e in events if e.message)
        for name, count in names.items():
            if count > 1:
                report(
                    f"Multiple message event definitions with the same name '{name}' are not "
                    "allowed."
                )

    @staticmethod
    def _duplicate_signals(events: Iterable[FlowNode], report: _Report) -> None:
        names = Counter(e.signal.name.source for e in events if e.signal)
        for name, count in names.items():
            if count > 1:
                report(
                    f"Multiple signal event definitions with the same name '{name}' are not "
                    "allowed."
                )


def check_process(process: ExecutableProcess, problems: ProblemCollector) -> None:
    GraphRules(process, problems).check()
