"""Throwing BPMN errors (Zeebe's ErrorEventHandler) — and, through `find_catch`, escalations
(`escalation_behavior`), which are caught the same way: from the throwing element instance
outwards, each scope offers the error start events of its event subprocesses, then the error
boundary events of the activity; an event with the thrown code wins over a catch-all (no
errorRef or no code) of the same scope. At the root of a called process the search goes on at
the call activity in the parent process. The catch element is then triggered with the error's
variables (`event_trigger_behavior.trigger_event`); False means nothing caught it and the
caller raises UNHANDLED_ERROR_EVENT with `unhandled_error_message`."""

from __future__ import annotations

from typing import Any

from bpmn import ExecutableProcess, FlowNode
from broker.protocol.values import BpmnElementType, BpmnEventType
from broker.protocol.values.bpmn_kinds import CONTAINERS
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_trigger_behavior import trigger_event
from processors.engine.state import ElementInstance, StateReaders


def throw_error(call: ElementCall, code: str, message: str, variables: dict[str, Any]) -> bool:
    found = find_error_catch(call.ctx.state, call.key, code)
    if found is None:
        return False
    scope, node = found
    return trigger_event(call.ctx, scope, node, variables)


def find_error_catch(
    state: StateReaders, element_instance_key: int, code: str
) -> tuple[ElementInstance, FlowNode] | None:
    """(event scope instance, catch element) of the nearest catch of `code`, or None."""
    return find_catch(state, element_instance_key, code, BpmnEventType.ERROR)


def find_catch(
    state: StateReaders, element_instance_key: int, code: str, event_type: BpmnEventType
) -> tuple[ElementInstance, FlowNode] | None:
    """The same search for errors and escalations (`event_type` ERROR or ESCALATION)."""
    instance = state.elements.get(element_instance_key)
    while instance is not None and instance.is_active:
        process = state.processes.executable(instance.value.process_definition_key)
        node = _catch_in_scope(process, instance, code, event_type)
        if node is not None:
            return instance, node
        instance = _enclosing(state, instance)
    return None


def _enclosing(state: StateReaders, instance: ElementInstance) -> ElementInstance | None:
    if instance.flow_scope_key != -1:
        return state.elements.get(instance.flow_scope_key)
    # The root of a called process: go on at the call activity that called it.
    if instance.value.parent_element_instance_key != -1:
        return state.elements.get(instance.value.parent_element_instance_key)
    return None


def _candidates(
    process: ExecutableProcess, instance: ElementInstance, event_type: BpmnEventType
) -> list[FlowNode]:
    """Catch elements of one scope: event subprocess starts first, then boundaries."""
    found: list[FlowNode] = []
    element_type = instance.element_type
    if element_type in CONTAINERS:
        scope = process.scopes.get(instance.element_id)
        if scope is not None:
            for subprocess_id in scope.event_subprocess_ids:
                found.extend(
                    process.elements[s] for s in process.scopes[subprocess_id].start_event_ids
                )
    node = process.elements.get(instance.element_id)
    if node is not None and (
        node.multi_instance is None or element_type is BpmnElementType.MULTI_INSTANCE_BODY
    ):
        found.extend(process.elements[b] for b in node.boundary_event_ids)
    return [n for n in found if n.event_type is event_type]


def _code(node: FlowNode) -> str | None:
    definition = node.error if node.event_type is BpmnEventType.ERROR else node.escalation
    if definition is None or definition.code is None:
        return None
    return definition.code.source


def _catch_in_scope(
    process: ExecutableProcess, instance: ElementInstance, code: str, event_type: BpmnEventType
) -> FlowNode | None:
    candidates = _candidates(process, instance, event_type)
    for node in candidates:
        if _code(node) == code:
            return node
    for node in candidates:
        if _code(node) is None:
            return node
    return None


def unhandled_error_message(call: ElementCall, code: str, message: str) -> str:
    """Zeebe's incident message for an error nothing caught."""
    available: list[str] = []
    state = call.ctx.state
    instance = state.elements.get(call.key)
    while instance is not None:
        process = state.processes.executable(instance.value.process_definition_key)
        for node in _candidates(process, instance, BpmnEventType.ERROR):
            available.append(_code(node) or "")
        instance = _enclosing(state, instance)
    with_message = f" with message '{message}'" if message else ""
    base = (
        f"Expected to throw an error event with the code '{code}'{with_message}, but it was"
        " not caught."
    )
    if not available:
        return base + " No error events are available in the scope."
    return base + f" Available error events are [{', '.join(available)}]"
