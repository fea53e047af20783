"""Event subprocesses: activated in their enclosing scope when one of their start events is
triggered (see `event_trigger_behavior`); they then activate that start event with the event's
variables and run like an embedded subprocess. An interrupting one runs alone in its scope
(the scope's other children were terminated first); a non-interrupting one beside them."""

from __future__ import annotations

from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.container_processors import SubProcessProcessor
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.event_trigger_behavior import activate_event_subprocess_start
from processors.engine.bpmn.execution_listeners import activation_ready


class EventSubProcessProcessor(SubProcessProcessor):
    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # input mappings, start listeners
            return
        if not open_subscriptions(call):
            return
        lifecycle.activated(call)
        if not activate_event_subprocess_start(call):
            # Started by a start instruction, with no event: its start event runs as it is
            # (Zeebe activates the first one).
            starts = call.process.scopes[call.flow_scope_id].start_event_ids
            lifecycle.activate_child(call, call.process.elements[starts[0]])
