"""Reading the event definitions of start, end, intermediate and boundary events into model
parts, with Zeebe's rules on which definitions each kind of event may carry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lxml import etree

from bpmn.build_context import BuildContext
from bpmn.build_extensions import count_extension, read_job_definition
from bpmn.document import attribute, bpmn_child, bpmn_children, local_name, text_of
from bpmn.expressions import Expression
from bpmn.model_parts import (
    ErrorDefinition,
    EscalationDefinition,
    JobDefinition,
    MessageDefinition,
    SignalDefinition,
    TimerDefinition,
)
from bpmn.model_types import BpmnEventType, TimerKind
from bpmn.timers import TimerValueError, parse_cycle, parse_date_time, parse_duration

E = BpmnEventType

DEFINITION_TYPES: dict[str, BpmnEventType | None] = {
    "messageEventDefinition": E.MESSAGE,
    "timerEventDefinition": E.TIMER,
    "errorEventDefinition": E.ERROR,
    "escalationEventDefinition": E.ESCALATION,
    "signalEventDefinition": E.SIGNAL,
    "linkEventDefinition": E.LINK,
    "terminateEventDefinition": E.TERMINATE,
    "compensateEventDefinition": E.COMPENSATION,
    "conditionalEventDefinition": E.CONDITIONAL,
    "cancelEventDefinition": None,
}


class EventRole(enum.Enum):
    PROCESS_START = "start event of a process"
    EMBEDDED_START = "start event of a subprocess"
    EVENT_SUBPROCESS_START = "start event of an event subprocess"
    END = "end event"
    CATCH = "intermediate catch event"
    THROW = "intermediate throw event"
    BOUNDARY = "boundary event"


_SUPPORTED: dict[EventRole, tuple[frozenset[BpmnEventType], str]] = {
    EventRole.PROCESS_START: (
        frozenset({E.NONE, E.MESSAGE, E.TIMER, E.SIGNAL}),
        "Start events of a process must be one of: none, message, timer or signal",
    ),
    EventRole.EMBEDDED_START: (
        frozenset({E.NONE}),
        "Start events in subprocesses must be of type none",
    ),
    EventRole.EVENT_SUBPROCESS_START: (
        frozenset({E.MESSAGE, E.TIMER, E.ERROR, E.SIGNAL, E.ESCALATION}),
        "Start events in event subprocesses must be one of: message, timer, error, signal or "
        "escalation",
    ),
    EventRole.END: (
        frozenset({E.NONE, E.ERROR, E.MESSAGE, E.TERMINATE, E.SIGNAL, E.ESCALATION}),
        "End events must be one of: none, error, message, terminate, signal, escalation or "
        "compensation",
    ),
    EventRole.CATCH: (
        frozenset({E.MESSAGE, E.TIMER, E.SIGNAL, E.LINK}),
        "Event definition must be one of: message, timer, signal, link, or conditional",
    ),
    EventRole.THROW: (
        frozenset({E.NONE, E.MESSAGE, E.SIGNAL, E.ESCALATION, E.LINK}),
        "Intermediate throw events must be one of: none, message, signal, escalation, link or "
        "compensation",
    ),
    EventRole.BOUNDARY: (
        frozenset({E.TIMER, E.MESSAGE, E.ERROR, E.SIGNAL, E.ESCALATION}),
        "Boundary events must be one of: timer, message, error, signal, escalation",
    ),
}

_NON_INTERRUPTING_ALLOWED = frozenset({E.MESSAGE, E.TIMER, E.SIGNAL, E.ESCALATION})
_CATCHING_ROLES = frozenset({EventRole.EVENT_SUBPROCESS_START, EventRole.CATCH, EventRole.BOUNDARY})


@dataclass(frozen=True, slots=True)
class EventParts:
    event_type: BpmnEventType = E.NONE
    message: MessageDefinition | None = None
    timer: TimerDefinition | None = None
    error: ErrorDefinition | None = None
    escalation: EscalationDefinition | None = None
    signal: SignalDefinition | None = None
    link_name: str | None = None
    job: JobDefinition | None = None


def event_definitions(ctx: BuildContext, event: etree._Element) -> list[etree._Element]:
    """Inline event definitions plus those referenced by `eventDefinitionRef`."""
    found = [c for c in bpmn_children(event) if local_name(c) in DEFINITION_TYPES]
    for ref in bpmn_children(event, "eventDefinitionRef"):
        target = ctx.document.find(text_of(ref))
        if target is not None and local_name(target) in DEFINITION_TYPES:
            found.append(target)
        else:
            ctx.problem(ref, f"Event definition '{text_of(ref)}' cannot be resolved")
    return found


def read_event(
    ctx: BuildContext, event: etree._Element, role: EventRole, *, interrupting: bool = True
) -> EventParts:
    definitions = event_definitions(ctx, event)
    _check_count(ctx, event, role, len(definitions))
    if not definitions:
        if role in (EventRole.CATCH, EventRole.BOUNDARY, EventRole.EVENT_SUBPROCESS_START):
            return EventParts(event_type=E.UNSPECIFIED)
        if role is EventRole.THROW and count_extension(event, "taskDefinition"):
            return EventParts(job=read_job_definition(ctx, event))
        return EventParts()
    definition = definitions[0]
    event_type = DEFINITION_TYPES[local_name(definition) or ""]
    if event_type is None:
        ctx.problem(definition, "Event definition of this type is not supported")
        return EventParts(event_type=E.UNSPECIFIED)
    if event_type is E.COMPENSATION:
        ctx.problem(definition, "Compensation events are not supported by Honeyflow")
        return EventParts(event_type=event_type)
    if event_type is E.CONDITIONAL:
        ctx.problem(definition, "Conditional events are not supported by Honeyflow")
        return EventParts(event_type=event_type)
    supported, message = _SUPPORTED[role]
    if event_type not in supported:
        ctx.problem(event, message)
        return EventParts(event_type=event_type)
    if role in (EventRole.BOUNDARY, EventRole.EVENT_SUBPROCESS_START):
        _check_interrupting(ctx, event, definition, event_type, interrupting)
    return _read_definition(ctx, event, definition, event_type, role)


def _check_count(ctx: BuildContext, event: etree._Element, role: EventRole, count: int) -> None:
    if (role in (EventRole.PROCESS_START, EventRole.EMBEDDED_START) and count > 1) or (
        role is EventRole.EVENT_SUBPROCESS_START and count > 1
    ):
        ctx.problem(event, "Start event can't have more than one type")
    elif role is EventRole.EVENT_SUBPROCESS_START and count == 0:
        ctx.problem(event, _SUPPORTED[role][1])
    elif role in (EventRole.END, EventRole.THROW) and count > 1:
        ctx.problem(event, "Must have at most one event definition")
    elif role in (EventRole.CATCH, EventRole.BOUNDARY) and count != 1:
        ctx.problem(event, "Must have exactly one event definition")


def _check_interrupting(
    ctx: BuildContext,
    event: etree._Element,
    definition: etree._Element,
    event_type: BpmnEventType,
    interrupting: bool,
) -> None:
    if not interrupting and event_type not in _NON_INTERRUPTING_ALLOWED:
        ctx.problem(event, "Non-Interrupting event of this type is not allowed")
    if interrupting and event_type is E.TIMER and bpmn_child(definition, "timeCycle") is not None:
        ctx.problem(event, "Interrupting timer event with time cycle is not allowed.")


def _read_definition(
    ctx: BuildContext,
    event: etree._Element,
    definition: etree._Element,
    event_type: BpmnEventType,
    role: EventRole,
) -> EventParts:
    if event_type is E.MESSAGE:
        if role in (EventRole.END, EventRole.THROW):
            return _read_message_throw(ctx, event, definition)
        catching = role in _CATCHING_ROLES
        return EventParts(event_type, message=read_message_ref(ctx, definition, catching))
    if event_type is E.TIMER:
        return EventParts(event_type, timer=_read_timer(ctx, definition, role))
    if event_type is E.ERROR:
        return EventParts(event_type, error=_read_error(ctx, definition, role))
    if event_type is E.ESCALATION:
        return EventParts(event_type, escalation=_read_escalation(ctx, definition, role))
    if event_type is E.SIGNAL:
        return EventParts(event_type, signal=_read_signal(ctx, definition))
    if event_type is E.LINK:
        name = attribute(definition, "name")
        if not name:
            ctx.problem(definition, "Link name must be present and not empty.")
        return EventParts(event_type, link_name=name or None)
    return EventParts(event_type)


def read_message_ref(
    ctx: BuildContext, owner: etree._Element, catching: bool, attribute_name: str = "messageRef"
) -> MessageDefinition | None:
    """Resolve `messageRef` of an event definition or receive/send task; check the message."""
    message = ctx.document.find_root(owner.get(attribute_name), ctx.document.messages)
    if message is None:
        ctx.problem(owner, "Must reference a message")
        return None
    name_text = message.get("name")
    if not name_text:
        ctx.problem(message, "Name must be present and not empty")
    name = ctx.expression(message, name_text, "name") if name_text else None
    correlation_key: Expression | None = None
    if catching:
        subscriptions = [
            s
            for ext in bpmn_children(message, "extensionElements")
            for s in ext
            if s.tag == "{http://camunda.org/schema/zeebe/1.0}subscription"
        ]
        if len(subscriptions) != 1:
            ctx.problem(message, "Must have exactly one zeebe:subscription extension element")
        else:
            correlation_key = ctx.expression(
                subscriptions[0],
                subscriptions[0].get("correlationKey"),
                "correlationKey",
                expression_only=True,
            )
    if name is None:
        return None
    return MessageDefinition(message.get("id", ""), name, correlation_key)


def _read_message_throw(
    ctx: BuildContext, event: etree._Element, definition: etree._Element
) -> EventParts:
    publish = count_extension(definition, "publishMessage")
    tasks = count_extension(event, "taskDefinition")
    if not ((publish == 1 and tasks == 0) or (publish == 0 and tasks == 1)):
        ctx.problem(
            event,
            "Must have either one 'zeebe:publishMessage' or one 'zeebe:taskDefinition' "
            "extension element",
        )
    elif publish:
        ctx.problem(
            event,
            "Publishing a message directly ('zeebe:publishMessage') is not supported by "
            "Honeyflow; use a 'zeebe:taskDefinition' and publish from a job worker",
        )
    message = None
    if definition.get("messageRef"):
        message = read_message_ref(ctx, definition, catching=False)
    job = read_job_definition(ctx, event) if tasks == 1 else None
    return EventParts(E.MESSAGE, message=message, job=job)


def _read_timer(
    ctx: BuildContext, definition: etree._Element, role: EventRole
) -> TimerDefinition | None:
    present = [
        (kind, child)
        for kind in TimerKind
        if (child := bpmn_child(definition, kind.value)) is not None
    ]
    if len(present) != 1:
        ctx.problem(
            definition, "Must be exactly one type of timer: timeDuration, timeDate or timeCycle"
        )
        return None
    kind, child = present[0]
    if role is EventRole.CATCH and kind is TimerKind.CYCLE:
        ctx.problem(
            definition,
            "Intermediate timer catch event must have either a time duration or a time date.",
        )
        return None
    text = text_of(child)
    expression = ctx.expression(child, text, kind.value)
    if expression is None:
        return None
    if not expression.is_static:
        return TimerDefinition(kind, expression)
    try:
        if kind is TimerKind.DATE:
            value: object = parse_date_time(expression.source)
        elif kind is TimerKind.DURATION:
            value = parse_duration(expression.source)
        else:
            value = parse_cycle(expression.source)
    except TimerValueError as exc:
        ctx.problem(child, str(exc))
        return None
    return TimerDefinition(kind, expression, value)  # type: ignore[arg-type]


def _read_error(
    ctx: BuildContext, definition: etree._Element, role: EventRole
) -> ErrorDefinition | None:
    reference = definition.get("errorRef")
    error = ctx.document.find_root(reference, ctx.document.errors)
    throwing = role is EventRole.END
    if error is None:
        if throwing:
            ctx.problem(definition, "Must reference an error")
        elif reference:
            ctx.problem(definition, f"Referenced error '{reference}' does not exist")
        return None if throwing else ErrorDefinition(None, None)
    code_text = error.get("errorCode")
    if throwing:
        if not code_text:
            ctx.problem(definition, "ErrorCode must be present and not empty")
            return None
        code = ctx.expression(error, code_text, "errorCode")
        return ErrorDefinition(error.get("id"), code, error.get("name")) if code else None
    if code_text and code_text.lstrip().startswith("="):
        ctx.problem(
            definition, "The errorCode of the error catch event is not allowed to be an expression"
        )
        return None
    code = Expression(code_text, True) if code_text else None
    return ErrorDefinition(error.get("id"), code, error.get("name"))


def _read_escalation(
    ctx: BuildContext, definition: etree._Element, role: EventRole
) -> EscalationDefinition | None:
    reference = definition.get("escalationRef")
    escalation = ctx.document.find_root(reference, ctx.document.escalations)
    throwing = role in (EventRole.END, EventRole.THROW)
    if escalation is None:
        if throwing:
            ctx.problem(definition, "Must reference an escalation")
        elif reference:
            ctx.problem(definition, f"Referenced escalation '{reference}' does not exist")
        return None if throwing else EscalationDefinition(None, None)
    code_text = escalation.get("escalationCode")
    if throwing:
        if not code_text:
            ctx.problem(escalation, "EscalationCode must be present and not empty")
            return None
        code = ctx.expression(escalation, code_text, "escalationCode")
        if code is None:
            return None
        return EscalationDefinition(escalation.get("id"), code, escalation.get("name"))
    if code_text and code_text.lstrip().startswith("="):
        ctx.problem(
            definition,
            "The escalationCode of the escalation catch event is not allowed to be an expression",
        )
        return None
    code = Expression(code_text, True) if code_text else None
    return EscalationDefinition(escalation.get("id"), code, escalation.get("name"))


def _read_signal(ctx: BuildContext, definition: etree._Element) -> SignalDefinition | None:
    signal = ctx.document.find_root(definition.get("signalRef"), ctx.document.signals)
    if signal is None:
        ctx.problem(definition, "Must reference a signal")
        return None
    name_text = signal.get("name")
    if not name_text:
        ctx.problem(signal, "Name must be present and not empty")
        return None
    name = ctx.expression(signal, name_text, "name")
    return SignalDefinition(signal.get("id", ""), name) if name else None
