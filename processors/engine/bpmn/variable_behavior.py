"""Variables of element instances: set local, merge with propagation (update the nearest
scope that has the variable, else create it in the process instance), and input/output
mappings (`zeebe:input` results become local variables of the element; `zeebe:output`
results are merged into the flow scope)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bpmn.model_parts import VariableMapping
from broker.protocol.intents import VariableIntent
from broker.protocol.values import VariableRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import evaluate
from processors.engine.context import ProcessingContext

# allow_nan=False: a value JSON cannot carry is an error, never `Infinity` in a record.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _dump(value: Any) -> str:
    """`json.dumps(value, separators=(",", ":"), ensure_ascii=False)` with one encoder
    (`json.dumps` builds one per call when given options)."""
    return _ENCODER.encode(value)


def set_variable(
    ctx: ProcessingContext,
    scope_key: int,
    name: str,
    value: Any,
    *,
    process_instance_key: int,
    process_definition_key: int,
    bpmn_process_id: str,
    tenant_id: str,
) -> None:
    existing = ctx.state.variables.get_local(scope_key, name)
    if existing is not None and existing[1] == value:
        return  # Zeebe writes no event for an unchanged value
    record_value = VariableRecordValue(
        name=name,
        value=_dump(value),
        scope_key=scope_key,
        process_instance_key=process_instance_key,
        process_definition_key=process_definition_key,
        bpmn_process_id=bpmn_process_id,
        tenant_id=tenant_id,
    )
    if existing is None:
        ctx.event(ctx.next_key(), VariableIntent.CREATED, record_value)
    else:
        ctx.event(existing[0], VariableIntent.UPDATED, record_value)


def set_local(call: ElementCall, scope_key: int, variables: Mapping[str, Any]) -> None:
    for name, value in variables.items():
        set_variable(
            call.ctx,
            scope_key,
            name,
            value,
            process_instance_key=call.value.process_instance_key,
            process_definition_key=call.value.process_definition_key,
            bpmn_process_id=call.value.bpmn_process_id,
            tenant_id=call.value.tenant_id,
        )


def merge(call: ElementCall, scope_key: int, variables: Mapping[str, Any]) -> None:
    """Set each variable where it is visible from `scope_key`, else in the root scope."""
    reader = call.ctx.state.variables
    chain = reader.scope_chain(scope_key)
    if not chain:
        return
    for name, value in variables.items():
        target = chain[-1]
        for scope in chain:
            if reader.get_local(scope, name) is not None:
                target = scope
                break
        set_local(call, target, {name: value})


def evaluate_mappings(
    mappings: tuple[VariableMapping, ...], variables: Mapping[str, Any], now_ms: int
) -> dict[str, Any]:
    """The variables the mappings produce; nested targets (`a.b`) build nested objects.
    Raises ExpressionFailure."""
    result: dict[str, Any] = {}
    for mapping in mappings:
        value = evaluate(mapping.source, variables, now_ms)
        path = mapping.target.split(".")
        holder = result
        for part in path[:-1]:
            child = holder.get(part)
            if not isinstance(child, dict):
                child = {}
                holder[part] = child
            holder = child
        holder[path[-1]] = value
    return result


def apply_input_mappings(call: ElementCall) -> None:
    node = call.node
    if node is None or not node.io_mappings.inputs:
        return
    variables = call.ctx.state.variables.visible(call.key)
    set_local(
        call, call.key, evaluate_mappings(node.io_mappings.inputs, variables, call.ctx.now_ms)
    )


def apply_output_behavior(call: ElementCall, result_variables: Mapping[str, Any]) -> None:
    """What leaves an element on completion: without output mappings, the variables it
    produced (a job's, a message's) are merged from the element outward; with output
    mappings they stay local and only the mapped values are merged into the flow scope."""
    node = call.node
    outputs = () if node is None else node.io_mappings.outputs
    if not outputs:
        if result_variables:
            merge(call, call.key, result_variables)
        return
    if result_variables:
        set_local(call, call.key, result_variables)
    variables = call.ctx.state.variables.visible(call.key)
    mapped = evaluate_mappings(outputs, variables, call.ctx.now_ms)
    merge(call, call.value.flow_scope_key, mapped)
