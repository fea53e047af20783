"""Creating an instance at chosen elements instead of the none start event (Zeebe's start
instructions, each one a "start before element"): the checks, with Zeebe's rejections, and
the activation.

As Zeebe's ElementActivationBehavior does it, the process and every subprocess around a
target are activated by events (ELEMENT_ACTIVATING, ELEMENT_ACTIVATED, their catch-event
subscriptions opened: boundary events, event subprocess start events) — no start event, no
input mappings, no execution listeners of those scopes — and a scope is shared by the targets
inside it. Each target then gets ACTIVATE_ELEMENT and runs as usual (its input mappings too).
A subscription whose expression fails refuses the whole command (INVALID_ARGUMENT).
"""

from __future__ import annotations

from collections.abc import Sequence

from bpmn import ExecutableProcess, FlowNode
from broker.protocol import RejectionType
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType, ProcessInstanceRecordValue
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import evaluate_subscriptions, open_evaluated
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.context import CommandRejected

_UNSUPPORTED = frozenset(
    {
        BpmnElementType.START_EVENT,
        BpmnElementType.SEQUENCE_FLOW,
        BpmnElementType.BOUNDARY_EVENT,
        BpmnElementType.UNSPECIFIED,
    }
)
_SUPPORTED_NAMES = ", ".join(sorted(t.value for t in BpmnElementType if t not in _UNSUPPORTED))
_PREFIX = "Expected to create instance of process with start instructions but"


def rejection(process: ExecutableProcess, element_ids: Sequence[str]) -> str | None:
    """Why these start instructions cannot start `process` (an INVALID_ARGUMENT reason in
    Zeebe's words), or None. Checked in Zeebe's order, the first failing target named."""
    for element_id in element_ids:
        if element_id not in process.elements and element_id not in process.sequence_flows:
            return f"{_PREFIX} no element found with id '{element_id}'."
    for element_id in element_ids:
        node = process.elements.get(element_id)
        if node is not None and _inside_multi_instance(process, node):
            return (
                f"{_PREFIX} the element with id '{element_id}' is inside a multi-instance"
                " subprocess. The creation of elements inside a multi-instance subprocess is"
                " not supported."
            )
    for element_id in element_ids:
        node = process.elements.get(element_id)
        element_type = BpmnElementType.SEQUENCE_FLOW if node is None else node.element_type
        if element_type in _UNSUPPORTED:
            return (
                f"{_PREFIX} the element with id '{element_id}' targets unsupported element"
                f" type '{element_type.value}'. Supported element types are: [{_SUPPORTED_NAMES}]"
            )
    for element_id in element_ids:
        node = process.elements[element_id]
        if any(
            process.elements[process.sequence_flows[f].source_id].element_type
            is BpmnElementType.EVENT_BASED_GATEWAY
            for f in node.incoming
        ):
            return (
                f"{_PREFIX} the element with id '{element_id}' belongs to an event-based"
                " gateway. The creation of elements belonging to an event-based gateway is not"
                " supported."
            )
    return None


def _inside_multi_instance(process: ExecutableProcess, node: FlowNode) -> bool:
    scope = process.elements.get(node.flow_scope_id)
    while scope is not None:
        if scope.multi_instance is not None:
            return True
        scope = process.elements.get(scope.flow_scope_id)
    return False


def activate(process_call: ElementCall, element_ids: Sequence[str]) -> None:
    """Activate the process instance `process_call` (not yet written) and its flow scopes by
    events, then each target by command. Raises CommandRejected when a scope's
    subscriptions cannot be evaluated."""
    _activate_scope(process_call)
    scopes: dict[str, ElementCall] = {process_call.value.element_id: process_call}
    process = process_call.process
    for element_id in element_ids:
        node = process.elements[element_id]
        scope = _scope_for(process, node.flow_scope_id, scopes)
        lifecycle.activate_child(scope, node)


def _scope_for(
    process: ExecutableProcess, scope_id: str, scopes: dict[str, ElementCall]
) -> ElementCall:
    """The instance of flow scope `scope_id`, activated (with the scopes around it) the first
    time a target needs it."""
    found = scopes.get(scope_id)
    if found is not None:
        return found
    node = process.elements[scope_id]
    parent = _scope_for(process, node.flow_scope_id, scopes)
    ctx = parent.ctx
    value: ProcessInstanceRecordValue = parent.child_value(node)
    call = ElementCall(ctx, ctx.next_key(), value, process)
    _activate_scope(call)
    scopes[scope_id] = call
    return call


def _activate_scope(call: ElementCall) -> None:
    lifecycle.write(call, PI.ELEMENT_ACTIVATING)
    lifecycle.write(call, PI.ELEMENT_ACTIVATED)
    try:
        evaluated = evaluate_subscriptions(call)
    except ExpressionFailure as failure:
        raise CommandRejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to subscribe to catch event(s) of '{call.value.element_id}' but"
            f" {failure.message}",
        ) from None
    open_evaluated(call, evaluated)
