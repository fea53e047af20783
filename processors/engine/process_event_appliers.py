"""Appliers of PROCESS_EVENT: TRIGGERING keeps the event trigger for its event scope (and, for
an event that ends the scope's wait — an interrupting boundary or event subprocess, a catch
event, a gateway's event — marks the scope interrupted so no later event triggers it);
TRIGGERED removes the trigger once its catch element is activated."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import ProcessEventIntent
from broker.protocol.values import BpmnElementType, ProcessEventRecordValue
from processors.engine.bpmn.event_trigger_behavior import (
    event_subprocess_of,
    is_interrupting,
)
from processors.engine.state import EngineState, EventTrigger


def _triggering(record: Record[ProcessEventRecordValue], state: EngineState) -> None:
    v = record.value
    state.event_scopes.put(
        EventTrigger(
            v.scope_key, record.key, v.target_element_id, dict(v.variables), v.process_instance_key
        )
    )
    scope = state.elements.get(v.scope_key)
    if scope is None:
        return
    process = state.processes.executable(v.process_definition_key)
    node = process.elements.get(v.target_element_id)
    if node is None or not is_interrupting(process, node):
        return
    if scope.interrupted_by is not None and node.element_type is not BpmnElementType.BOUNDARY_EVENT:
        return
    changed = dataclasses.replace(scope, interrupted_by=node.id)
    if event_subprocess_of(process, node) is not None:
        # The scope's own flow ends here: sequence flows taken but not yet followed die.
        changed = dataclasses.replace(changed, active_flows=0, taken_flows={})
    state.elements.put(changed)


def _triggered(record: Record[ProcessEventRecordValue], state: EngineState) -> None:
    state.event_scopes.remove(record.value.scope_key, record.key)


PROCESS_EVENT_APPLIERS: dict[
    tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]
] = {
    (ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERING): _triggering,
    (ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERED): _triggered,
}
