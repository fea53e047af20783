"""Reading `zeebe:executionListeners` of a process or flow node, with Zeebe's rules (its
Apache-licensed model validators): `eventType` start or end and `type` required, `retries`
3 by default (both static or `=expression`), no two listeners with the same event type and
job type, and no listener where Zeebe has none: start listeners on start and boundary events,
end listeners on gateways and error end events.
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from bpmn import namespaces as ns
from bpmn.build_context import BuildContext
from bpmn.build_extensions import read_job_retries, read_job_type
from bpmn.document import zeebe_extensions
from bpmn.model_parts import ExecutionListener, ListenerEventType
from bpmn.model_types import BpmnElementType, BpmnEventType

_GATEWAYS = frozenset(
    {
        BpmnElementType.EXCLUSIVE_GATEWAY,
        BpmnElementType.INCLUSIVE_GATEWAY,
        BpmnElementType.PARALLEL_GATEWAY,
        BpmnElementType.EVENT_BASED_GATEWAY,
    }
)
_EVENT_TYPES = ", ".join(t.value for t in ListenerEventType)


def read_execution_listeners(
    ctx: BuildContext,
    element: etree._Element,
    element_type: BpmnElementType = BpmnElementType.PROCESS,
    event_type: BpmnEventType = BpmnEventType.UNSPECIFIED,
) -> tuple[ExecutionListener, ...]:
    block = ctx.single_extension(
        element, zeebe_extensions(element, "executionListeners"), "executionListeners"
    )
    if block is None:
        return ()
    listeners: list[ExecutionListener] = []
    seen: Counter[tuple[str, str]] = Counter()
    for child in block:
        if child.tag != ns.zeebe("executionListener"):
            continue
        listener_event = _event_type(ctx, child)
        job_type = read_job_type(ctx, child)
        retries = read_job_retries(ctx, child)
        seen[(child.get("eventType", ""), child.get("type", ""))] += 1
        if listener_event is not None and job_type is not None and retries is not None:
            listeners.append(ExecutionListener(listener_event, job_type, retries))
    for (listener_event_name, job_type_name), count in seen.items():
        if count > 1:
            ctx.problem(
                block,
                f"Found '{count}' duplicates based on eventType[{listener_event_name}] and "
                f"type[{job_type_name}], these combinations should be unique.",
            )
    _where_zeebe_has_none(ctx, block, listeners, element_type, event_type)
    return tuple(listeners)


def _event_type(ctx: BuildContext, listener: etree._Element) -> ListenerEventType | None:
    value = listener.get("eventType")
    if value is None or not value.strip():
        ctx.problem(listener, "Attribute 'eventType' must be present and not empty")
        return None
    try:
        return ListenerEventType(value.strip())
    except ValueError:
        ctx.problem(listener, f"Attribute 'eventType' must be one of: {_EVENT_TYPES}")
        return None


def _where_zeebe_has_none(
    ctx: BuildContext,
    block: etree._Element,
    listeners: list[ExecutionListener],
    element_type: BpmnElementType,
    event_type: BpmnEventType,
) -> None:
    kinds = {listener.event_type for listener in listeners}
    if ListenerEventType.START in kinds:
        if element_type is BpmnElementType.START_EVENT:
            ctx.problem(
                block, "Execution listeners of type 'start' are not supported by start events"
            )
        elif element_type is BpmnElementType.BOUNDARY_EVENT:
            ctx.problem(
                block, "Execution listeners of type 'start' are not supported by boundary events"
            )
    if ListenerEventType.END in kinds:
        if element_type in _GATEWAYS:
            ctx.problem(
                block, "Execution listeners of type 'end' are not supported by gateway element"
            )
        elif element_type is BpmnElementType.END_EVENT and event_type is BpmnEventType.ERROR:
            ctx.problem(
                block, "Execution listeners of type 'end' are not supported by [error] end events"
            )
