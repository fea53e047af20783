"""Appliers of element lifecycle, sequence flow and variable events."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.intents import VariableIntent
from broker.protocol.values import BpmnElementType, ProcessInstanceRecordValue, VariableRecordValue
from broker.protocol.values.bpmn_kinds import JOINING_GATEWAYS
from processors.engine import nested_instance_appliers as nested
from processors.engine.state import ElementInstance, EngineState
from processors.engine.state import element_lifecycle as lifecycle
from processors.engine.state.element_lifecycle import ALLOWED_FROM, IllegalTransition


def _activating(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
    value = record.value
    state.elements.create(ElementInstance(record.key, value, lifecycle.INITIAL))
    if value.flow_scope_key == -1 and value.parent_element_instance_key != -1:
        nested.called_process_activating(record, state)
    scope = state.elements.get(value.flow_scope_key)
    if scope is None:
        return
    active_flows = scope.active_flows
    taken = scope.taken_flows
    if scope.element_type is not BpmnElementType.MULTI_INSTANCE_BODY:
        node = state.processes.executable(value.process_definition_key).elements.get(
            value.element_id
        )
        if node is not None and node.incoming:
            if value.bpmn_element_type in JOINING_GATEWAYS and len(node.incoming) > 1:
                counts = dict(taken.get(value.element_id, {}))
                for flow_id, count in list(counts.items()):
                    active_flows -= 1
                    if count > 1:
                        counts[flow_id] = count - 1
                    else:
                        del counts[flow_id]
                taken = {k: v for k, v in taken.items() if k != value.element_id}
                if counts:
                    taken[value.element_id] = counts
            elif active_flows > 0:
                # Never below zero, as in Zeebe: an element started by a start instruction
                # has incoming flows but came by none of them.
                active_flows -= 1
    else:
        scope = nested.inner_activating(state, record.key, scope)
    state.elements.put(scope.with_counts(scope.active_children + 1, active_flows, taken))


def _transition(intent: PI) -> Callable[[Record[ProcessInstanceRecordValue], EngineState], None]:
    allowed_from = ALLOWED_FROM[intent]  # lifecycle.check, inlined: every event passes here

    def apply(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
        instance = state.elements.get(record.key)
        if instance is not None:
            if instance.state not in allowed_from:
                raise IllegalTransition(record.key, instance.state, intent)
            state.elements.put(instance.with_state(intent))

    return apply


_TO_ACTIVATED = ALLOWED_FROM[PI.ELEMENT_ACTIVATED]


def _activated(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
    instance = state.elements.get(record.key)
    if instance is not None:
        if instance.state not in _TO_ACTIVATED:  # lifecycle.check, inlined
            raise IllegalTransition(record.key, instance.state, PI.ELEMENT_ACTIVATED)
        # The start listeners are done: the index counts end listeners from here (Zeebe).
        activated = instance.with_state(PI.ELEMENT_ACTIVATED)
        if activated.listener_index:
            activated = activated.with_listener_index(0)
        state.elements.put(activated)


def _ended(intent: PI) -> Callable[[Record[ProcessInstanceRecordValue], EngineState], None]:
    allowed_from = ALLOWED_FROM[intent]  # lifecycle.check, inlined

    def apply(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
        value = record.value
        instance = state.elements.get(record.key)
        if instance is not None and instance.state not in allowed_from:
            raise IllegalTransition(record.key, instance.state, intent)
        if (
            intent is PI.ELEMENT_COMPLETED
            and value.flow_scope_key == -1
            and value.parent_element_instance_key != -1
        ):
            nested.called_process_completed(record, state)
            instance = state.elements.get(record.key)  # as it is now (read once otherwise)
        state.elements.remove(record.key, instance)
        state.variables.remove_scope(record.key)
        state.event_scopes.remove_scope(record.key)
        scope = state.elements.get(value.flow_scope_key)
        if scope is not None:
            if scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY:
                scope = nested.inner_ended(scope, intent)
            state.elements.put(
                scope.with_counts(
                    max(0, scope.active_children - 1), scope.active_flows, scope.taken_flows
                )
            )

    return apply


def _flow_taken(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
    value = record.value
    scope = state.elements.get(value.flow_scope_key)
    if scope is None:
        return
    process = state.processes.executable(value.process_definition_key)
    flow = process.sequence_flows[value.element_id]
    target = process.elements[flow.target_id]
    taken = scope.taken_flows
    if target.element_type in JOINING_GATEWAYS and (len(target.incoming) > 1):
        counts = dict(taken.get(target.id, {}))
        counts[flow.id] = counts.get(flow.id, 0) + 1
        taken = {**taken, target.id: counts}
    state.elements.put(scope.with_counts(scope.active_children, scope.active_flows + 1, taken))


def _variable(record: Record[VariableRecordValue], state: EngineState) -> None:
    v = record.value
    state.variables.put(v.scope_key, v.name, record.key, json.loads(v.value))


INSTANCE_APPLIERS: dict[tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]] = {
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_ACTIVATING): _activating,
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_ACTIVATED): _activated,
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_COMPLETING): _transition(PI.ELEMENT_COMPLETING),
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_TERMINATING): _transition(PI.ELEMENT_TERMINATING),
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_COMPLETED): _ended(PI.ELEMENT_COMPLETED),
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_TERMINATED): _ended(PI.ELEMENT_TERMINATED),
    (ValueType.PROCESS_INSTANCE, PI.SEQUENCE_FLOW_TAKEN): _flow_taken,
    (ValueType.VARIABLE, VariableIntent.CREATED): _variable,
    (ValueType.VARIABLE, VariableIntent.UPDATED): _variable,
}
