"""The checks of a PROCESS_INSTANCE_MODIFICATION MODIFY command before anything is written,
in Zeebe's order and with Zeebe's messages (each an INVALID_ARGUMENT): elements to activate
exist and can be activated, element instances to terminate exist in this instance, variable
scopes exist and are the element or one of its flow scopes, ancestor keys name active
instances of this process instance that are flow scopes of the element, and no element is
activated in a flow scope instance that the same command terminates.

Stricter than Zeebe in two places: an element instance of another process instance is not
found (Zeebe terminates it), and the process element itself cannot be activated."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bpmn import ExecutableProcess
from broker.protocol.values import BpmnElementType, ProcessInstanceModificationRecordValue
from processors.engine.state import StateReaders
from processors.engine.variable_values import json_value_problem

UNSUPPORTED = frozenset(
    {
        BpmnElementType.UNSPECIFIED,
        BpmnElementType.START_EVENT,
        BpmnElementType.SEQUENCE_FLOW,
        BpmnElementType.BOUNDARY_EVENT,
        BpmnElementType.PROCESS,
    }
)
_SUPPORTED_NAMES = ", ".join(t.value for t in BpmnElementType if t not in UNSUPPORTED)


def flow_scope_ids(process: ExecutableProcess, element_id: str) -> list[str]:
    """The ids of the flow scopes around `element_id`, innermost first, ending with the
    process id."""
    found: list[str] = []
    node = process.elements.get(element_id)
    while node is not None:
        found.append(node.flow_scope_id)
        node = process.elements.get(node.flow_scope_id)
    return found


def _joined(items: Iterable[str]) -> str:
    return "', '".join(items)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _element_type(process: ExecutableProcess, element_id: str) -> BpmnElementType:
    node = process.elements.get(element_id)
    if node is not None:
        return node.element_type
    if element_id in process.sequence_flows:
        return BpmnElementType.SEQUENCE_FLOW
    return BpmnElementType.PROCESS  # the process id itself


def rejection(
    state: StateReaders,
    process: ExecutableProcess,
    command: ProcessInstanceModificationRecordValue,
) -> str | None:
    """Why `command` cannot modify its instance of `process`, or None."""
    for reason in _reasons(state, process, command):
        return reason
    return None


def _reasons(
    state: StateReaders,
    process: ExecutableProcess,
    command: ProcessInstanceModificationRecordValue,
) -> Iterator[str]:
    prefix = f"Expected to modify instance of process '{process.bpmn_process_id}' but it contains"
    activations = command.activate_instructions
    unknown = _unique(
        a.element_id
        for a in activations
        if a.element_id not in process.elements
        and a.element_id not in process.sequence_flows
        and a.element_id != process.bpmn_process_id
    )
    if unknown:
        yield (
            f"{prefix} one or more activate instructions with an element that could not be"
            f" found: '{_joined(unknown)}'"
        )
    after_gateway = _unique(
        a.element_id for a in activations if _after_event_based_gateway(process, a.element_id)
    )
    if after_gateway:
        yield (
            f"{prefix} one or more activate instructions for elements that are unsupported:"
            f" '{_joined(after_gateway)}'. The activation of events belonging to an"
            " event-based gateway is not supported."
        )
    unsupported = _unique(
        a.element_id for a in activations if _element_type(process, a.element_id) in UNSUPPORTED
    )
    if unsupported:
        types = _unique(_element_type(process, e).value for e in unsupported)
        yield (
            f"{prefix} one or more activate instructions for elements that are unsupported:"
            f" '{_joined(unsupported)}'. The activation of elements with type"
            f" '{_joined(types)}' is not supported. Supported element types are:"
            f" [{_SUPPORTED_NAMES}]."
        )
    missing = _unique(
        str(t.element_instance_key)
        for t in command.terminate_instructions
        if (found := state.elements.get(t.element_instance_key)) is None
        or found.value.process_instance_key != command.process_instance_key
    )
    if missing:
        yield (
            f"{prefix} one or more terminate instructions with an element instance that could"
            f" not be found: '{_joined(missing)}'"
        )
    for activation in activations:
        for variable in activation.variable_instructions:
            if not isinstance(variable.variables, dict):
                yield f"{prefix} variables that are not a JSON object: {variable.variables!r}"
            problem = json_value_problem(variable.variables, "variables")
            if problem is not None:
                yield problem
    scopes = _unique(
        v.element_id
        for a in activations
        for v in a.variable_instructions
        if v.element_id
        and v.element_id not in process.elements
        and v.element_id != process.bpmn_process_id
    )
    if scopes:
        yield (
            f"{prefix} one or more variable instructions with a scope element id that could not"
            f" be found: '{_joined(scopes)}'"
        )
    for a in activations:
        allowed = {a.element_id, *flow_scope_ids(process, a.element_id)}
        if any(v.element_id and v.element_id not in allowed for v in a.variable_instructions):
            yield (
                f"{prefix} one or more variable instructions with a scope element that doesn't"
                " belong to the activating element's flow scope. These variables should be set"
                " before or after the modification."
            )
    yield from _ancestor_reasons(state, process, command, prefix)
    yield from _terminated_scope_reasons(state, process, command, prefix)


def _after_event_based_gateway(process: ExecutableProcess, element_id: str) -> bool:
    node = process.elements.get(element_id)
    return node is not None and any(
        process.elements[process.sequence_flows[f].source_id].element_type
        is BpmnElementType.EVENT_BASED_GATEWAY
        for f in node.incoming
    )


def _ancestor_reasons(
    state: StateReaders,
    process: ExecutableProcess,
    command: ProcessInstanceModificationRecordValue,
    prefix: str,
) -> Iterator[str]:
    keys = _unique(
        str(a.ancestor_scope_key) for a in command.activate_instructions if a.ancestor_scope_key > 0
    )
    ancestors = {int(k): state.elements.get(int(k)) for k in keys}
    inactive = [k for k in keys if (found := ancestors[int(k)]) is None or not found.is_active]
    if inactive:
        yield (
            f"{prefix} one or more activate instructions with an ancestor scope key that does"
            f" not exist, or is not in an active state: '{_joined(inactive)}'"
        )
    foreign = [
        str(key)
        for key, found in ancestors.items()
        if found is not None and found.value.process_instance_key != command.process_instance_key
    ]
    if foreign:
        yield (
            f"{prefix} one or more activate instructions with an ancestor scope key that does"
            f" not belong to the modified process instance: '{_joined(foreign)}'"
        )
    lines = ""
    for a in command.activate_instructions:
        found = ancestors.get(a.ancestor_scope_key) if a.ancestor_scope_key > 0 else None
        if found is not None and found.element_id not in flow_scope_ids(process, a.element_id):
            lines += (
                f"\n- instance '{a.ancestor_scope_key}' of element '{found.element_id}' is not"
                f" an ancestor of element '{a.element_id}'"
            )
    if lines:
        yield (
            f"{prefix} one or more activate instructions with an ancestor scope key that is not"
            f" an ancestor of the element to activate:{lines}"
        )


def _terminated_scope_reasons(
    state: StateReaders,
    process: ExecutableProcess,
    command: ProcessInstanceModificationRecordValue,
    prefix: str,
) -> Iterator[str]:
    conflicts: list[str] = []
    for key in dict.fromkeys(t.element_instance_key for t in command.terminate_instructions):
        terminated = state.elements.get(key)
        if terminated is None:
            continue
        for a in command.activate_instructions:
            if a.ancestor_scope_key > 0:
                conflict = a.ancestor_scope_key == key
            else:
                conflict = terminated.element_id in flow_scope_ids(process, a.element_id)
            if conflict:
                conflicts.append(
                    f"element '{a.element_id}' requires flow scope instance '{key}' which is"
                    " being terminated"
                )
    if conflicts:
        yield (
            f"{prefix} one or more activate instructions for elements whose required flow scope"
            f" instance is also being terminated: {', '.join(conflicts)}. Please provide a valid"
            " ancestor scope key for the activation or avoid terminating the required flow"
            " scope."
        )
