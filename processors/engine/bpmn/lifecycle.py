"""State transitions of element instances and the flow between them: the lifecycle events,
taking sequence flows (with joins), activating children, and telling a flow scope that a
child has ended so it can complete or finish terminating."""

from __future__ import annotations

from collections.abc import Iterable

from bpmn import FlowNode
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType
from broker.protocol.values.bpmn_kinds import JOINING_GATEWAYS
from processors.engine.bpmn import element_registry, event_subscriptions
from processors.engine.bpmn.element_call import ElementCall, call_for

_LEAVING = (PI.ELEMENT_COMPLETED, PI.ELEMENT_TERMINATED)
"""The lifecycle events with which an element leaves (its subscriptions close first)."""


def write(call: ElementCall, intent: PI) -> None:
    if intent in _LEAVING and event_subscriptions.has_catch_elements(call):
        # An element that leaves closes its catch-event subscriptions (timers, messages...).
        event_subscriptions.close_subscriptions(call)
    call.ctx.event(call.key, intent, call.value)


def completing(call: ElementCall) -> None:
    write(call, PI.ELEMENT_COMPLETING)


def write_completed(call: ElementCall) -> None:
    """ELEMENT_COMPLETED without taking flows (the caller decides what happens next)."""
    write(call, PI.ELEMENT_COMPLETED)


def activated(call: ElementCall) -> None:
    write(call, PI.ELEMENT_ACTIVATED)


def complete_now(call: ElementCall) -> None:
    """Go on to ELEMENT_COMPLETING within this command (no waiting for anything)."""
    write(call, PI.ELEMENT_COMPLETING)
    element_registry.processor_for(call).on_complete(call)


def request_completion(call: ElementCall) -> None:
    """Ask for completion by a command (after a job, a message, a child process ...)."""
    call.ctx.follow_up(call.key, PI.COMPLETE_ELEMENT, call.value)


def request_termination(call: ElementCall) -> None:
    call.ctx.follow_up(call.key, PI.TERMINATE_ELEMENT, call.value)


def activate_child(scope: ElementCall, node: FlowNode) -> None:
    scope.ctx.follow_up(scope.ctx.next_key(), PI.ACTIVATE_ELEMENT, scope.child_value(node))


def completed(call: ElementCall, outgoing: Iterable[str] | None = None) -> None:
    """ELEMENT_COMPLETED, then take `outgoing` (default: every outgoing flow); with no flow to
    take the execution path ends here and the flow scope is told."""
    node = call.node
    if (
        node is not None
        and node.multi_instance is not None
        and call.element_type is not BpmnElementType.MULTI_INSTANCE_BODY
    ):
        # An inner instance: the flows belong to its body, which collects the output first.
        # (Imported here because the body's module builds on this one.)
        from processors.engine.bpmn import multi_instance_behavior

        multi_instance_behavior.complete_inner(call)
        return
    write(call, PI.ELEMENT_COMPLETED)
    flows = list(outgoing) if outgoing is not None else list(node.outgoing if node else ())
    if flows:
        take_flows(call, flows)
    else:
        notify_scope_completed(call)


def terminated(call: ElementCall) -> None:
    """ELEMENT_TERMINATED; an activity terminated by an interrupting boundary event hands
    over to that event, else the flow scope is told."""
    from processors.engine.bpmn import event_trigger_behavior as triggers

    by_boundary = triggers.terminated_by_boundary_event(call)
    write(call, PI.ELEMENT_TERMINATED)
    if by_boundary is not None:
        trigger, node = by_boundary
        triggers.activate_triggered_event(call.ctx, trigger, node, call.value.flow_scope_key, call)
        return
    notify_scope_terminated(call)


def take_flows(call: ElementCall, flow_ids: Iterable[str]) -> None:
    process = call.process
    scope_key = call.value.flow_scope_key
    scope_instance = call.ctx.state.elements.get(scope_key)
    if scope_instance is None:
        return
    scope = call.for_instance(scope_instance)
    for flow_id in flow_ids:
        flow = process.sequence_flows[flow_id]
        call.ctx.event(
            call.ctx.next_key(),
            PI.SEQUENCE_FLOW_TAKEN,
            call.sibling_value(flow_id, BpmnElementType.SEQUENCE_FLOW),
        )
        target = process.elements[flow.target_id]
        if is_join(target) and not join_ready(scope, target):
            continue
        activate_child(scope, target)


def is_join(node: FlowNode) -> bool:
    return node.element_type in JOINING_GATEWAYS and (len(node.incoming) > 1)


def join_ready(scope: ElementCall, gateway: FlowNode) -> bool:
    instance = scope.instance
    taken = {} if instance is None else instance.taken_flows.get(gateway.id, {})
    if gateway.element_type is BpmnElementType.PARALLEL_GATEWAY:
        return all(taken.get(flow_id, 0) > 0 for flow_id in gateway.incoming)
    # Inclusive join: ready once no incoming flow that is not taken can still be reached.
    missing = [f for f in gateway.incoming if taken.get(f, 0) == 0]
    if not missing:
        return True
    sources = {scope.process.sequence_flows[f].source_id for f in missing}
    children = scope.ctx.state.elements.children(scope.key)
    active = {c.element_id for c in children}
    return not any(_reaches(scope, start, sources, gateway.id) for start in active)


def _reaches(scope: ElementCall, start: str, goals: set[str], gateway_id: str) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        node_id = todo.pop()
        if node_id in goals:
            return True
        if node_id in seen or node_id == gateway_id:
            continue
        seen.add(node_id)
        node = scope.process.elements[node_id]
        todo.extend(scope.process.sequence_flows[f].target_id for f in node.outgoing)
    return False


def notify_scope_completed(call: ElementCall) -> None:
    scope = _scope_call(call)
    if scope is not None:
        element_registry.container_for(scope).on_child_completed(scope, call)


def notify_scope_terminated(call: ElementCall) -> None:
    scope = _scope_call(call)
    if scope is not None:
        element_registry.container_for(scope).on_child_terminated(scope, call)


def _scope_call(call: ElementCall) -> ElementCall | None:
    # A called process instance reports to the call activity that created it.
    scope_key = call.value.flow_scope_key
    if scope_key == -1:
        scope_key = call.value.parent_element_instance_key
        if scope_key == -1:
            return None
    scope_instance = call.ctx.state.elements.get(scope_key)
    return None if scope_instance is None else call_for(call.ctx, scope_instance)


def scope_can_complete(scope: ElementCall) -> bool:
    instance = scope.instance
    return (
        instance is not None
        and instance.state is PI.ELEMENT_ACTIVATED
        and instance.active_children == 0
        # Flows taken just before an interrupting event subprocess struck lead nowhere.
        and (instance.active_flows == 0 or instance.interrupted_by is not None)
    )


def terminate_children(scope: ElementCall) -> int:
    """TERMINATE_ELEMENT for every child still running; returns how many there are."""
    count = 0
    for child in scope.ctx.state.elements.children(scope.key):
        count += 1
        if child.state is not PI.ELEMENT_TERMINATING:
            request_termination(scope.for_instance(child))
    return count


def none_start_event(call: ElementCall, scope_id: str) -> FlowNode | None:
    flow_scope = call.process.scopes.get(scope_id)
    if flow_scope is None or flow_scope.none_start_event_id is None:
        return None
    return call.process.elements[flow_scope.none_start_event_id]
