"""The event-based gateway: on activation it opens the subscriptions of the catch events after
it; the first event to trigger completes the gateway, which closes the other subscriptions,
takes the flow to the event that won and activates that event (with the event's variables)."""

from __future__ import annotations

from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.event_trigger_behavior import activate_triggered_event
from processors.engine.bpmn.execution_listeners import activation_ready


class EventBasedGatewayProcessor:
    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # start listeners
            return
        if not open_subscriptions(call):
            return
        lifecycle.activated(call)

    def on_complete(self, call: ElementCall) -> None:
        trigger = call.ctx.state.event_scopes.peek(call.key)
        lifecycle.write_completed(call)
        if trigger is None:
            return
        process = call.process
        node = process.elements[trigger.element_id]
        flow_id = next(
            f
            for f in call.require_node().outgoing
            if process.sequence_flows[f].target_id == node.id
        )
        call.ctx.event(
            call.ctx.next_key(),
            PI.SEQUENCE_FLOW_TAKEN,
            call.sibling_value(flow_id, BpmnElementType.SEQUENCE_FLOW),
        )
        activate_triggered_event(call.ctx, trigger, node, call.value.flow_scope_key, call)

    def on_terminate(self, call: ElementCall) -> None:
        lifecycle.terminated(call)
