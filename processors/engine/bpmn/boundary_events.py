"""Elements activated by their trigger rather than by a sequence flow: boundary events, the
start events of event subprocesses and of event-started processes, and the catch event after
an event-based gateway. They enter with the event's variables as local variables (see
`event_trigger_behavior.activate_triggered_event`) and complete at once.

What leaves them: with output mappings only the mapped values; without, their local (event)
variables are merged into the flow scope — except an error boundary event's, which stay local
(Zeebe's rule)."""

from __future__ import annotations

from broker.protocol.values import BpmnElementType, BpmnEventType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_processors import PassThroughEventProcessor
from processors.engine.bpmn.execution_listeners import completion_ready
from processors.engine.bpmn.variable_behavior import evaluate_mappings, merge


def finish_triggered(call: ElementCall) -> None:
    """Complete an element activated by its trigger."""
    if not completion_ready(call, lambda: _propagate_event_variables(call)):
        return  # output mappings or event variables, end listeners
    lifecycle.completed(call)


def _propagate_event_variables(call: ElementCall) -> None:
    node = call.node
    outputs = () if node is None else node.io_mappings.outputs
    variables = call.ctx.state.variables
    if outputs:
        mapped = evaluate_mappings(outputs, variables.visible(call.key), call.ctx.now_ms)
        merge(call, call.value.flow_scope_key, mapped)
        return
    if (
        call.element_type is BpmnElementType.BOUNDARY_EVENT
        and call.value.bpmn_event_type is BpmnEventType.ERROR
    ):
        return
    local = variables.local(call.key)
    if local:
        merge(call, call.value.flow_scope_key, local)


class BoundaryEventProcessor:
    """Activated by their trigger only (never by a command); complete at once."""

    def on_activate(self, call: ElementCall) -> None:
        # No flow leads to a boundary event and start instructions refuse one: a defect
        raise RuntimeError(
            f"boundary event '{call.value.element_id}' is activated by its event only"
        )

    def on_complete(self, call: ElementCall) -> None:
        finish_triggered(call)

    def on_terminate(self, call: ElementCall) -> None:
        lifecycle.terminated(call)


class StartEventProcessor(PassThroughEventProcessor):
    """None start events pass through; triggered start events (timer, message, signal, error,
    escalation) hand on their event's variables."""

    def on_activate(self, call: ElementCall) -> None:
        # By command: a none start event, or the start event of an event subprocess that a
        # start instruction activated without its event (Zeebe runs it as it is).
        self.pass_through(call)

    def on_complete(self, call: ElementCall) -> None:
        if call.value.bpmn_event_type in (BpmnEventType.NONE, BpmnEventType.UNSPECIFIED):
            super().on_complete(call)
            return
        finish_triggered(call)
