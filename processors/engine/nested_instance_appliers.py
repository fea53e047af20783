"""Applier steps for instances nested in other instances: the counters a multi-instance body
keeps about its inner instances, and the link between a call activity and the process
instance it called (its key, and the child's variables waiting for the call activity)."""

from __future__ import annotations

import dataclasses
from typing import Any

from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import ProcessInstanceRecordValue
from processors.engine.state import ElementInstance, EngineState


def inner_activating(state: EngineState, inner_key: int, body: ElementInstance) -> ElementInstance:
    """Number the new inner instance; returns the body with its counter moved on."""
    counter = body.loop_counter + 1
    inner = state.elements.get(inner_key)
    if inner is not None:
        state.elements.put(dataclasses.replace(inner, loop_counter=counter))
    return dataclasses.replace(body, loop_counter=counter)


def inner_ended(body: ElementInstance, intent: Any) -> ElementInstance:
    if intent is PI.ELEMENT_COMPLETED:
        return dataclasses.replace(body, completed_inner=body.completed_inner + 1)
    return dataclasses.replace(body, terminated_inner=body.terminated_inner + 1)


def called_process_activating(
    record: Record[ProcessInstanceRecordValue], state: EngineState
) -> None:
    """The call activity remembers the process instance it created (to terminate it)."""
    parent = state.elements.get(record.value.parent_element_instance_key)
    if parent is not None:
        state.elements.put(dataclasses.replace(parent, called_instance_key=record.key))


def called_process_completed(
    record: Record[ProcessInstanceRecordValue], state: EngineState
) -> None:
    """Hand the child's variables to the call activity before they are removed: its
    completion propagates them (or only its output mappings' results), like a job's."""
    parent = state.elements.get(record.value.parent_element_instance_key)
    if parent is None:
        return
    node = state.processes.executable(parent.value.process_definition_key).elements.get(
        parent.element_id
    )
    called = None if node is None else node.called_element
    outputs = () if node is None else node.io_mappings.outputs
    variables: dict[str, Any] = {}
    if called is not None and (called.propagate_all_child_variables or outputs):
        variables = state.variables.local(record.key)
    state.elements.put(
        dataclasses.replace(parent, called_instance_key=-1, completion_variables=variables)
    )
