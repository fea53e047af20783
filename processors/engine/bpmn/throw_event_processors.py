"""Signal and escalation throw events, intermediate and end. While activating: input mappings,
then the signal name or escalation code (a failure is an EXTRACT_VALUE_ERROR incident; resolving
it evaluates again). A signal is broadcast (SIGNAL BROADCAST follow-up with the element's local
variables) and the event completes by a COMPLETE_ELEMENT follow-up processed after the
broadcast, so a catch event the signal interrupts (even its own subprocess's boundary event)
acts first. An escalation is thrown after ELEMENT_ACTIVATED; the event completes unless an
interrupting catch will terminate it. Other event types are handled by the
processors these extend (none, link, terminate, error).

Message throw and end events are job-based, as in Zeebe (a send task in event form): input
mappings, then the job's type and retries (a failure is an EXTRACT_VALUE_ERROR incident), then
ELEMENT_ACTIVATED and JOB CREATED; the job's completion completes the event with its output
mappings; terminating the event cancels the job. Failing and throwing jobs work as for tasks."""

from __future__ import annotations

from broker.protocol.values import BpmnEventType, ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.error_events import ThrowingEndEventProcessor
from processors.engine.bpmn.escalation_behavior import evaluate_escalation_code, throw_escalation
from processors.engine.bpmn.event_processors import PassThroughEventProcessor
from processors.engine.bpmn.execution_listeners import activation_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.job_behavior import cancel_job, create_job, evaluate_job_properties
from processors.engine.bpmn.signal_behavior import broadcast_from_element

_THROWN = (BpmnEventType.SIGNAL, BpmnEventType.ESCALATION)


def _throw(call: ElementCall) -> None:
    if not activation_ready(call):  # input mappings, start listeners
        return
    escalation_code: str | None = None
    try:
        if call.value.bpmn_event_type is BpmnEventType.SIGNAL:
            broadcast_from_element(call)
        else:
            escalation_code = evaluate_escalation_code(call)
    except ExpressionFailure as failure:
        raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
        return
    lifecycle.activated(call)
    if escalation_code is None:
        # Completion by command, queued after the broadcast: a catch event that the signal
        # interrupts (the boundary event of this event's own subprocess) acts first, as in Zeebe.
        lifecycle.request_completion(call)
        return
    if not throw_escalation(call, escalation_code):
        return  # stays ELEMENT_ACTIVATED until the interrupting catch terminates it
    lifecycle.complete_now(call)


def _create_job(call: ElementCall) -> None:
    if not activation_ready(call):  # input mappings, start listeners
        return
    try:
        properties = evaluate_job_properties(call)
    except ExpressionFailure as failure:
        raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
        return
    lifecycle.activated(call)
    create_job(call, properties)


class IntermediateThrowEventProcessor(PassThroughEventProcessor):
    """Intermediate throw events: none and link pass through; signal and escalation throw;
    message events wait for their job."""

    def on_activate(self, call: ElementCall) -> None:
        event_type = call.value.bpmn_event_type
        if event_type is BpmnEventType.MESSAGE:
            _create_job(call)
        elif event_type in _THROWN:
            _throw(call)
        else:
            super().on_activate(call)

    def on_terminate(self, call: ElementCall) -> None:
        cancel_job(call)
        super().on_terminate(call)


class ThrowEndEventProcessor(ThrowingEndEventProcessor):
    """End events: none, terminate, error (see ThrowingEndEventProcessor), signal, escalation;
    message end events wait for their job."""

    def on_activate(self, call: ElementCall) -> None:
        event_type = call.value.bpmn_event_type
        if event_type is BpmnEventType.MESSAGE:
            _create_job(call)
        elif event_type in _THROWN:
            _throw(call)
        else:
            super().on_activate(call)

    def on_terminate(self, call: ElementCall) -> None:
        cancel_job(call)
        super().on_terminate(call)
