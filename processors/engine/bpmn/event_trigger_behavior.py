"""What happens when an event triggers a catch element (Zeebe's EventHandle and
EventTriggerBehavior). A kind of subscription (timer, message, signal, thrown error) calls
`trigger_event(ctx, scope, node, variables)`; it checks that the event scope still takes the
event, records the trigger (PROCESS_EVENT TRIGGERING, kept in state with its variables) and:

- intermediate catch event, receive task, event-based gateway: COMPLETE_ELEMENT of the waiting
  element (a gateway then activates the event that won);
- interrupting boundary event: TERMINATE_ELEMENT of the activity; once it is terminated the
  boundary event is activated in its place (`terminated_by_boundary_event`);
- non-interrupting boundary event: the boundary event is activated now, beside the activity;
- start event of an event subprocess: interrupting ones close the scope's other event
  subprocess subscriptions and terminate the scope's children first, then the event
  subprocess is activated; non-interrupting ones activate it now (as often as triggered).

A triggered event is activated directly (PROCESS_EVENT TRIGGERED, ELEMENT_ACTIVATING,
ELEMENT_ACTIVATED, its variables as local variables) and then completes by command.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bpmn import ExecutableProcess, FlowNode
from broker.protocol.intents import ProcessEventIntent
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import (
    BpmnElementType,
    ProcessEventRecordValue,
    ProcessInstanceRecordValue,
)
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall, call_for, protocol_element_type
from processors.engine.bpmn.event_subscriptions import close_subscriptions
from processors.engine.bpmn.variable_behavior import set_local
from processors.engine.context import ProcessingContext
from processors.engine.state import ElementInstance, EventTrigger, StateReaders

_COMPLETING = (BpmnElementType.INTERMEDIATE_CATCH_EVENT, BpmnElementType.RECEIVE_TASK)


def event_subprocess_of(process: ExecutableProcess, node: FlowNode) -> FlowNode | None:
    """The event subprocess a start event belongs to, or None."""
    if node.element_type is not BpmnElementType.START_EVENT:
        return None
    container = process.elements.get(node.flow_scope_id)
    if container is None or container.element_type is not BpmnElementType.EVENT_SUB_PROCESS:
        return None
    return container


def is_interrupting(process: ExecutableProcess, node: FlowNode) -> bool:
    """Whether triggering `node` ends its event scope's wait for other events."""
    if node.element_type is BpmnElementType.BOUNDARY_EVENT:
        return node.cancel_activity
    if event_subprocess_of(process, node) is not None:
        return node.interrupting
    return True


def can_trigger(state: StateReaders, scope: ElementInstance, node: FlowNode) -> bool:
    """The event scope is active, not interrupted already, and its flow scope neither."""
    if not scope.is_active:
        return False
    process = state.processes.executable(scope.value.process_definition_key)
    interrupter = scope.interrupted_by
    if interrupter is not None:
        # An event subprocess interrupts the scope's children; a boundary event of the scope
        # itself may still interrupt the whole scope.
        first = process.elements.get(interrupter)
        if not (
            first is not None
            and event_subprocess_of(process, first) is not None
            and node.element_type is BpmnElementType.BOUNDARY_EVENT
            and node.cancel_activity
        ):
            return False
    if scope.element_type is BpmnElementType.EVENT_SUB_PROCESS:
        return True
    flow_scope = state.elements.get(scope.flow_scope_key)
    return flow_scope is None or flow_scope.interrupted_by is None


def trigger_event(
    ctx: ProcessingContext, scope: ElementInstance, node: FlowNode, variables: dict[str, Any]
) -> bool:
    """The event of catch element `node` happened for event scope `scope`. Returns False, and
    writes nothing, when the scope cannot take it (left, interrupted, already triggered)."""
    if not can_trigger(ctx.state, scope, node):
        return False
    call = call_for(ctx, scope)
    event_key = _triggering(ctx, scope.value, scope.key, node.id, variables)
    if node.element_type in _COMPLETING:
        lifecycle.request_completion(call)
    elif event_subprocess_of(call.process, node) is not None:
        _trigger_event_subprocess(call, node)
    elif is_interrupting(call.process, node):
        lifecycle.request_termination(call)
    else:
        trigger = EventTrigger(
            scope.key, event_key, node.id, variables, scope.value.process_instance_key
        )
        activate_triggered_event(ctx, trigger, node, scope.flow_scope_key, call)
    return True


def trigger_start_event(
    ctx: ProcessingContext,
    process_definition_key: int,
    process_instance_key: int,
    element_id: str,
    variables: dict[str, Any],
) -> None:
    """Start a new process instance at start event `element_id` (timer, message, signal):
    the trigger is kept under the process definition key until the process activates it."""
    deployed = ctx.state.processes.by_key(process_definition_key)
    if deployed is None:
        raise KeyError(f"no process definition with key {process_definition_key}")
    value = ProcessInstanceRecordValue(
        bpmn_process_id=deployed.bpmn_process_id,
        version=deployed.version,
        process_definition_key=deployed.key,
        process_instance_key=process_instance_key,
        element_id=deployed.bpmn_process_id,
        flow_scope_key=-1,
        bpmn_element_type=BpmnElementType.PROCESS,
        tenant_id=deployed.tenant_id,
    )
    _triggering(ctx, value, process_definition_key, element_id, variables)
    ctx.follow_up(process_instance_key, PI.ACTIVATE_ELEMENT, value)


def activate_triggered_start_event(call: ElementCall) -> bool:
    """For a process being activated: start it at the start event that triggered it, if any."""
    pdk = call.value.process_definition_key
    for trigger in call.ctx.state.event_scopes.triggers(pdk):
        if trigger.process_instance_key == call.key:
            node = call.process.elements[trigger.element_id]
            activate_triggered_event(call.ctx, trigger, node, call.key, call)
            return True
    return False


def activate_triggered_event(
    ctx: ProcessingContext,
    trigger: EventTrigger,
    node: FlowNode,
    flow_scope_key: int,
    template: ElementCall,
) -> None:
    """PROCESS_EVENT TRIGGERED, then the catch element enters directly as ELEMENT_ACTIVATING
    and ELEMENT_ACTIVATED with the event's variables as local variables, and completes by
    command. `template` is an element of the same process instance (for the record value)."""
    _triggered(ctx, trigger, node.id, template)
    value = dataclasses.replace(
        template.value,
        element_id=node.id,
        flow_scope_key=flow_scope_key,
        bpmn_element_type=protocol_element_type(node),
        bpmn_event_type=node.event_type,
    )
    key = ctx.next_key()
    event = ElementCall(ctx, key, value, template.process)
    lifecycle.write(event, PI.ELEMENT_ACTIVATING)
    lifecycle.write(event, PI.ELEMENT_ACTIVATED)
    if trigger.variables:
        set_local(event, key, trigger.variables)
    lifecycle.request_completion(event)


def terminated_by_boundary_event(call: ElementCall) -> tuple[EventTrigger, FlowNode] | None:
    """For an activity about to be ELEMENT_TERMINATED: the interrupting boundary event that
    terminated it, when its flow scope still runs (else the event is dropped)."""
    for trigger in call.ctx.state.event_scopes.triggers(call.key):
        node = call.process.elements.get(trigger.element_id)
        if (
            node is not None
            and node.element_type is BpmnElementType.BOUNDARY_EVENT
            and node.cancel_activity
            and node.attached_to_id == call.value.element_id
        ):
            flow_scope = call.ctx.state.elements.get(call.value.flow_scope_key)
            if flow_scope is None or flow_scope.state is not PI.ELEMENT_ACTIVATED:
                return None
            if flow_scope.interrupted_by is not None:
                return None
            return trigger, node
    return None


def _trigger_event_subprocess(scope: ElementCall, start: FlowNode) -> None:
    if start.interrupting:
        scope_node = scope.process.scopes[scope.flow_scope_id]
        starts = [
            s
            for subprocess_id in scope_node.event_subprocess_ids
            for s in scope.process.scopes[subprocess_id].start_event_ids
        ]
        close_subscriptions(scope, only=starts)
        if lifecycle.terminate_children(scope) > 0:
            return  # activated when the last child is terminated
    _activate_event_subprocess(scope, start)


def _activate_event_subprocess(scope: ElementCall, start: FlowNode) -> None:
    subprocess = event_subprocess_of(scope.process, start)
    assert subprocess is not None
    lifecycle.activate_child(scope, subprocess)


def activate_interrupting_event_subprocess(scope: ElementCall) -> bool:
    """For a container whose last child has ended: when an interrupting event subprocess
    waits for that, activate it (True); the container must then not complete."""
    instance = scope.instance
    if instance is None or instance.state is not PI.ELEMENT_ACTIVATED or instance.active_children:
        return False
    interrupter = instance.interrupted_by
    if interrupter is None:
        return False
    start = scope.process.elements.get(interrupter)
    if start is None or event_subprocess_of(scope.process, start) is None:
        return False
    if not any(
        t.element_id == interrupter for t in scope.ctx.state.event_scopes.triggers(scope.key)
    ):
        return False
    _activate_event_subprocess(scope, start)
    return True


def activate_event_subprocess_start(call: ElementCall) -> bool:
    """For an event subprocess being activated: activate the start event that triggered it
    (the oldest waiting trigger of one of its start events in the enclosing scope)."""
    starts = call.process.scopes[call.flow_scope_id].start_event_ids
    for trigger in call.ctx.state.event_scopes.triggers(call.value.flow_scope_key):
        if trigger.element_id in starts:
            node = call.process.elements[trigger.element_id]
            activate_triggered_event(call.ctx, trigger, node, call.key, call)
            return True
    return False


def consume_trigger(call: ElementCall) -> dict[str, Any]:
    """For a completing catch event or receive task: PROCESS_EVENT TRIGGERED for the event
    that completes it; returns the event's variables ({} when it completes otherwise)."""
    trigger = call.ctx.state.event_scopes.peek(call.key)
    if trigger is None:
        return {}
    _triggered(call.ctx, trigger, trigger.element_id, call)
    return dict(trigger.variables)


def _triggered(
    ctx: ProcessingContext, trigger: EventTrigger, element_id: str, template: ElementCall
) -> None:
    ctx.event(
        trigger.event_key,
        ProcessEventIntent.TRIGGERED,
        ProcessEventRecordValue(
            scope_key=trigger.scope_key,
            target_element_id=element_id,
            process_definition_key=template.value.process_definition_key,
            process_instance_key=template.value.process_instance_key,
            tenant_id=template.value.tenant_id,
        ),
    )


def _triggering(
    ctx: ProcessingContext,
    value: Any,
    scope_key: int,
    element_id: str,
    variables: dict[str, Any],
) -> int:
    event_key = ctx.next_key()
    ctx.event(
        event_key,
        ProcessEventIntent.TRIGGERING,
        ProcessEventRecordValue(
            scope_key=scope_key,
            target_element_id=element_id,
            variables=dict(variables),
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            tenant_id=value.tenant_id,
        ),
    )
    return event_key
