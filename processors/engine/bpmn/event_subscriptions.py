"""Catch-event subscriptions: the registry that timers, messages, signals (and later kinds)
plug into, and the two calls element processors make.

An element instance is an *event scope* when events can interrupt or trigger it: an activity
with boundary events, a container (process, subprocess, event subprocess) with event
subprocesses, an intermediate catch event, a receive task, an event-based gateway. Its
*catch elements* are the boundary events, the start events of the event subprocesses, the
catch event or receive task itself, the events after the gateway.

- `open_subscriptions(call)`: in `on_activate`, after the input mappings and before
  ELEMENT_ACTIVATED. Every kind first evaluates what it needs (a failure is an
  EXTRACT_VALUE_ERROR incident on the element and nothing is opened), then opens.
- closing is automatic: `lifecycle.write` calls `close_subscriptions(call)` before it writes
  ELEMENT_COMPLETED or ELEMENT_TERMINATED of an event scope.

A kind has one entry per event type in `subscription_kinds.build_subscription_kinds`, the table
the Engine builds and hands to every command through its context.
When its event happens, it calls `event_trigger_behavior.trigger_event` (or
`trigger_start_event` for start events), which records the trigger and activates the right
element. Error and escalation events have no subscriptions: throwing finds the catch element.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from bpmn import FlowNode
from broker.protocol.values import BpmnElementType, BpmnEventType, ErrorType
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.incident_behavior import raise_incident


class SubscriptionKind(Protocol):
    """How one event type (timer, message, signal, ...) waits for its events."""

    def evaluate(self, call: ElementCall, node: FlowNode) -> Any:
        """What a subscription of catch element `node` in event scope `call` needs (a due date,
        a message name and correlation key). Writes nothing; raises ExpressionFailure."""
        ...

    def open(self, call: ElementCall, node: FlowNode, evaluated: Any) -> None:
        """Open the subscription (write its events: TIMER CREATED, ...)."""
        ...

    def close(self, call: ElementCall, element_ids: Collection[str]) -> None:
        """Close the subscriptions of event scope `call` for these catch elements (it leaves,
        or an interrupting event subprocess ends the others)."""
        ...


THROWN_EVENT_TYPES = frozenset({BpmnEventType.ERROR, BpmnEventType.ESCALATION})
"""Caught by looking for the catch element when thrown: no subscription to open."""


def catch_event_type(node: FlowNode) -> BpmnEventType:
    if node.element_type is BpmnElementType.RECEIVE_TASK:
        return BpmnEventType.MESSAGE
    return node.event_type


def catch_elements(call: ElementCall) -> list[FlowNode]:
    """The catch elements whose event scope is this element instance, in document order."""
    process = call.process
    node = call.node
    found: list[FlowNode] = []
    element_type = call.element_type
    if (
        element_type
        in (
            BpmnElementType.INTERMEDIATE_CATCH_EVENT,
            BpmnElementType.RECEIVE_TASK,
        )
        and node is not None
    ):
        found.append(node)
    if element_type is BpmnElementType.EVENT_BASED_GATEWAY and node is not None:
        found.extend(process.elements[process.sequence_flows[f].target_id] for f in node.outgoing)
    # Boundary events belong to the multi-instance body, not to its inner instances.
    if (
        node is not None
        and node.boundary_event_ids
        and (node.multi_instance is None or element_type is BpmnElementType.MULTI_INSTANCE_BODY)
    ):
        found.extend(process.elements[b] for b in node.boundary_event_ids)
    scope = process.scopes.get(call.flow_scope_id) if element_type.is_container else None
    if scope is not None:
        for subprocess_id in scope.event_subprocess_ids:
            found.extend(process.elements[s] for s in process.scopes[subprocess_id].start_event_ids)
    return found


def has_catch_elements(call: ElementCall) -> bool:
    """Whether the element is an event scope: has any catch element (kept per element with
    the process model; asked whenever an element opens or closes its subscriptions)."""
    value = call.value
    derived = call.process.derived
    kind = ("catch", value.element_id, value.bpmn_element_type)
    has = derived.get(kind)
    if has is None:
        has = derived[kind] = bool(catch_elements(call))
    return bool(has)


EvaluatedSubscriptions = list[tuple[SubscriptionKind, FlowNode, Any]]


def open_subscriptions(call: ElementCall) -> bool:
    """Open every subscription of event scope `call`. False after raising an incident (an
    expression failed): the element stays ELEMENT_ACTIVATING and nothing is opened."""
    if not has_catch_elements(call):  # most elements: nothing to evaluate or open
        return True
    try:
        evaluated = evaluate_subscriptions(call)
    except ExpressionFailure as failure:
        raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
        return False
    open_evaluated(call, evaluated)
    return True


def evaluate_subscriptions(call: ElementCall) -> EvaluatedSubscriptions:
    """What every subscription of event scope `call` needs, writing nothing; raises
    ExpressionFailure (callers that cannot raise an incident turn it into a rejection)."""
    pending: EvaluatedSubscriptions = []
    for node in catch_elements(call):
        event_type = catch_event_type(node)
        if event_type in THROWN_EVENT_TYPES or event_type is BpmnEventType.LINK:
            continue
        kind = call.ctx.subscription_kinds.get(event_type)
        if kind is None:
            # refused at deployment (test_every_deployable_kind_runs.py): a defect if reached
            raise RuntimeError(
                f"no subscription kind for {event_type.value} catch event '{node.id}'"
            )
        pending.append((kind, node, kind.evaluate(call, node)))
    return pending


def open_evaluated(call: ElementCall, evaluated: EvaluatedSubscriptions) -> None:
    for kind, node, value in evaluated:
        kind.open(call, node, value)


def close_subscriptions(call: ElementCall, only: Collection[str] | None = None) -> None:
    """Close the subscriptions of event scope `call` (all, or those of the catch elements
    `only`)."""
    by_type: dict[BpmnEventType, list[str]] = {}
    for node in catch_elements(call):
        if only is None or node.id in only:
            by_type.setdefault(catch_event_type(node), []).append(node.id)
    for event_type, element_ids in by_type.items():
        kind = call.ctx.subscription_kinds.get(event_type)
        if kind is not None:
            kind.close(call, element_ids)
