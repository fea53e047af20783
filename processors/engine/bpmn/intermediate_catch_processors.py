"""Elements that wait for one event: intermediate catch events (timer, message, signal — any
kind registered with `event_subscriptions`) and receive tasks. They open their subscriptions
while activating, complete when their event triggers them (the event's variables leave like
a job's result) and close the subscriptions when they leave. Link catch events pass through;
a catch event activated by an event-based gateway was triggered already and completes."""

from __future__ import annotations

from broker.protocol.values import BpmnElementType, BpmnEventType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.boundary_events import finish_triggered
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_processors import PassThroughEventProcessor
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.event_trigger_behavior import consume_trigger
from processors.engine.bpmn.execution_listeners import activation_ready, completion_ready
from processors.engine.bpmn.variable_behavior import apply_output_behavior

_PASSING = (BpmnEventType.NONE, BpmnEventType.LINK)


class CatchEventProcessor:
    def __init__(self) -> None:
        self._passing = PassThroughEventProcessor()

    def _passes(self, call: ElementCall) -> bool:
        return (
            call.value.bpmn_event_type in _PASSING
            and call.element_type is not BpmnElementType.RECEIVE_TASK
        )

    def on_activate(self, call: ElementCall) -> None:
        if self._passes(call):
            self._passing.on_activate(call)
            return
        if not activation_ready(call):  # input mappings, start listeners
            return
        if open_subscriptions(call):
            lifecycle.activated(call)

    def on_complete(self, call: ElementCall) -> None:
        if self._passes(call):
            self._passing.on_complete(call)
            return
        if call.ctx.state.event_scopes.peek(call.key) is None:
            finish_triggered(call)  # activated by the event-based gateway whose event it was
            return
        variables = consume_trigger(call)
        if not completion_ready(call, lambda: apply_output_behavior(call, variables)):
            return  # output mappings, end listeners
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        lifecycle.terminated(call)
