"""Execution listeners (`zeebe:executionListeners`), as Zeebe 8.8 runs them: jobs of kind
EXECUTION_LISTENER that the element waits for, one after the other in model order.

- Start listeners run while the element is ELEMENT_ACTIVATING, after its input mappings and
  before anything else of its activation (subscriptions, expressions, its job, its children).
  Element processors begin `on_activate` with `if not activation_ready(call): return`.
- End listeners run while it is ELEMENT_COMPLETING, after its output mappings (or whatever
  hands its result on) and before it leaves: `on_complete` calls
  `completion_ready(call, hand_on)` in place of the output mappings.
- A completed listener job writes its variables (start: local to the element; end: local to
  the flow scope, or to the process itself) and COMPLETE_EXECUTION_LISTENER, which runs the
  element's `on_activate` / `on_complete` again: with listeners done (`listener_index` > 0)
  the mappings are not applied again, the next listener's job is created, and after the last
  one the element goes on.
- A failing type or retries expression is an EXTRACT_VALUE_ERROR incident on the element;
  resolving it runs the step again from the start (mappings and every listener). A listener
  job out of retries is an EXECUTION_LISTENER_NO_RETRIES incident; resolving it makes the job
  activatable again, and the listeners done before it stay done.

The listeners of a multi-instance activity run on each inner instance, not on its body; a
process's are the process element's own.
"""

from __future__ import annotations

from collections.abc import Callable

from bpmn import ExecutableProcess
from bpmn.model_parts import ExecutionListener, ListenerEventType
from broker.protocol.values import BpmnElementType, ErrorType, JobListenerEventType
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.job_behavior import create_job, evaluate_type_and_retries
from processors.engine.bpmn.variable_behavior import apply_input_mappings

_NONE: tuple[ExecutionListener, ...] = ()
_LISTENED = "elements with execution listeners"


def _listened(process: ExecutableProcess) -> frozenset[str]:
    """The ids of the elements (the process's own id included) that have any execution
    listener, kept with the model under _LISTENED (most elements have none, and every
    activation and completion asks: they read it there and call this only when it is not
    there yet)."""
    ids = {i for i, node in process.elements.items() if node.execution_listeners}
    if process.execution_listeners:
        ids.add(process.bpmn_process_id)
    found = process.derived[_LISTENED] = frozenset(ids)
    return found


def listeners_of(call: ElementCall, event_type: ListenerEventType) -> tuple[ExecutionListener, ...]:
    """The element's listeners of one event type, in model order (kept per element with the
    process model: this is asked at every activation and completion)."""
    element_type = call.element_type
    if element_type is BpmnElementType.MULTI_INSTANCE_BODY:
        return _NONE
    derived = call.process.derived
    # Plain strings in the key: hashing the enums is a Python call. Ids are unique in a
    # process, its own id included.
    which = "start listeners" if event_type is ListenerEventType.START else "end listeners"
    kind = (which, call.value.element_id)
    found = derived.get(kind)
    if found is None:
        if element_type is BpmnElementType.PROCESS:
            every = call.process.execution_listeners
        else:
            node = call.node
            every = _NONE if node is None else node.execution_listeners
        found = derived[kind] = tuple(li for li in every if li.event_type is event_type)
    return found  # type: ignore[return-value]


def activation_ready(call: ElementCall) -> bool:
    """The start of an element's activation: its input mappings (an IO_MAPPING_ERROR incident
    when they fail), then its start listeners. True when the element goes on; False while a
    listener job or an incident holds it."""
    listened = call.process.derived.get(_LISTENED)
    if listened is None:
        listened = _listened(call.process)
    if call.value.element_id not in listened:  # type: ignore[operator]  # most: none
        try:
            apply_input_mappings(call)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.IO_MAPPING_ERROR, failure.message)
            return False
        return True
    listeners = listeners_of(call, ListenerEventType.START)
    done = _done(call) if listeners else 0
    if done == 0:
        try:
            apply_input_mappings(call)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.IO_MAPPING_ERROR, failure.message)
            return False
    return _next_listener(call, listeners, done, JobListenerEventType.START)


def completion_ready(call: ElementCall, hand_on: Callable[[], None] | None = None) -> bool:
    """The end of an element's completion: `hand_on` (its output mappings or what passes its
    result on; an ExpressionFailure is an IO_MAPPING_ERROR incident), then its end listeners.
    True when the element leaves now; False while a listener job or an incident holds it."""
    listened = call.process.derived.get(_LISTENED)
    if listened is None:
        listened = _listened(call.process)
    if call.value.element_id not in listened:  # type: ignore[operator]  # most: none
        if hand_on is not None:
            try:
                hand_on()
            except ExpressionFailure as failure:
                raise_incident(call, ErrorType.IO_MAPPING_ERROR, failure.message)
                return False
        return True
    listeners = listeners_of(call, ListenerEventType.END)
    done = _done(call) if listeners else 0
    if hand_on is not None and done == 0:
        try:
            hand_on()
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.IO_MAPPING_ERROR, failure.message)
            return False
    return _next_listener(call, listeners, done, JobListenerEventType.END)


def _done(call: ElementCall) -> int:
    """How many listeners of the running event type have completed."""
    instance = call.instance
    return 0 if instance is None else instance.listener_index


def _next_listener(
    call: ElementCall,
    listeners: tuple[ExecutionListener, ...],
    done: int,
    event_type: JobListenerEventType,
) -> bool:
    """True when every listener is done; else the next one's job is created (or, when its
    type or retries cannot be evaluated, an EXTRACT_VALUE_ERROR incident raised)."""
    if done >= len(listeners):
        return True
    listener = listeners[done]
    try:
        properties = evaluate_type_and_retries(call, listener.type, listener.retries)
    except ExpressionFailure as failure:
        raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
        return False
    create_job(call, properties, listener=event_type)
    return False
