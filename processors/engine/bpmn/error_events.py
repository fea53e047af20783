"""Error end events: evaluate the error code (static or FEEL), and throw it. Caught, the end
event stays ELEMENT_ACTIVATED until the catching event terminates it; not caught, it stays
ELEMENT_ACTIVATING with an UNHANDLED_ERROR_EVENT incident (resolving it throws again)."""

from __future__ import annotations

from broker.protocol.values import BpmnEventType, ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.error_behavior import find_error_catch, unhandled_error_message
from processors.engine.bpmn.event_processors import EndEventProcessor
from processors.engine.bpmn.event_trigger_behavior import trigger_event
from processors.engine.bpmn.execution_listeners import activation_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed
from processors.engine.bpmn.incident_behavior import raise_incident


class ThrowingEndEventProcessor(EndEventProcessor):
    """End events: none, terminate (see EndEventProcessor) and error."""

    def on_activate(self, call: ElementCall) -> None:
        if call.value.bpmn_event_type is not BpmnEventType.ERROR:
            super().on_activate(call)
            return
        if not activation_ready(call):  # input mappings, start listeners
            return
        error = call.require_node().error
        if error is None or error.code is None:
            raise_incident(
                call, ErrorType.EXTRACT_VALUE_ERROR, "Expected an error code, but none given"
            )
            return
        try:
            variables = call.ctx.state.variables.visible(call.key)
            code = evaluate_typed(error.code, variables, call.ctx.now_ms, str)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return
        found = find_error_catch(call.ctx.state, call.key, code)
        if found is None:
            raise_incident(
                call, ErrorType.UNHANDLED_ERROR_EVENT, unhandled_error_message(call, code, "")
            )
            return
        lifecycle.activated(call)
        scope, catch = found
        trigger_event(call.ctx, scope, catch, {})
