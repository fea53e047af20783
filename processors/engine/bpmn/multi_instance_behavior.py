"""Multi-instance loop behaviour shared by the body and its inner instances: reading the input
collection, the local variables of an inner instance (input element, loop counter), writing an
inner instance's output element into its slot of the output collection, and evaluating the
completion condition with Zeebe's `numberOf...` variables."""

from __future__ import annotations

import re
from typing import Any, Final

from bpmn import Expression
from bpmn.model_parts import MultiInstance
from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType, ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import (
    ExpressionFailure,
    evaluate,
    evaluate_typed,
)
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.variable_behavior import set_local
from processors.engine.state import ElementInstance

LOOP_COUNTER_VARIABLE = "loopCounter"
INNER_INSTANCES_PER_BATCH: Final = 1_000
"""Inner instances of a parallel multi-instance activity activated per batch."""
_PATH = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*\s*")
_LITERALS = frozenset({"null", "true", "false", "not", "some", "every", "if", "for", "function"})


def loop_of(call: ElementCall) -> MultiInstance:
    node = call.require_node()
    if node.multi_instance is None:
        raise KeyError(f"element '{node.id}' is not a multi-instance activity")
    return node.multi_instance


def input_collection(call: ElementCall, scope_key: int) -> list[Any]:
    """The input collection as seen from `scope_key` (read only: it may be shared); raises
    ExpressionFailure unless it is a list (Zeebe: EXTRACT_VALUE_ERROR). Evaluated again only
    when that could give another list (see input_collection_memo)."""
    expression = loop_of(call).input_collection
    reader = call.ctx.state.variables
    body_key = (
        call.key
        if call.element_type is BpmnElementType.MULTI_INSTANCE_BODY
        else call.value.flow_scope_key
    )

    def evaluate() -> list[Any]:
        variables = reader.visible(scope_key)
        return list(evaluate_typed(expression, variables, call.ctx.now_ms, list))

    return call.ctx.input_collections.collection(body_key, expression, reader, scope_key, evaluate)


def inner_type(call: ElementCall) -> BpmnElementType:
    return call.require_node().element_type


def activate_inner(body: ElementCall) -> None:
    """ACTIVATE_ELEMENT for the next inner instance (the applier numbers it)."""
    value = body.child_value(body.require_node(), element_type=inner_type(body))
    body.ctx.follow_up(body.ctx.next_key(), PI.ACTIVATE_ELEMENT, value)


def activate_parallel(body: ElementCall, size: int) -> None:
    """The first inner instances of a parallel body: at most `INNER_INSTANCES_PER_BATCH` in
    this batch, the rest chunk by chunk (see `continue_parallel`)."""
    for _ in range(min(size, INNER_INSTANCES_PER_BATCH)):
        activate_inner(body)


def continue_parallel(inner: ElementCall, body_instance: ElementInstance) -> None:
    """A parallel body over more items than one batch takes (Zeebe activates its children in
    batches too): the last inner instance of a chunk sends the first of the next chunk as a
    command of its own to this partition, processed in a later batch, so a collection of
    100,000 items neither makes one huge batch (and Kafka transaction) nor keeps the partition
    from other work meanwhile; that first one writes the rest of its chunk as follow-ups."""
    instance = inner.instance
    if instance is None or body_instance.element_type is not BpmnElementType.MULTI_INSTANCE_BODY:
        return
    counter = instance.loop_counter or 1
    chunk = INNER_INSTANCES_PER_BATCH
    if counter <= chunk and counter % chunk != 0:
        return  # within the first chunk, written by the body itself
    body = inner.for_instance(body_instance)
    if loop_of(body).is_sequential:
        return
    try:
        size = len(input_collection(body, body.key))
    except ExpressionFailure:
        return  # the inner instance raises the incident
    if counter % chunk == 0:
        if counter < size:
            value = body.child_value(body.require_node(), element_type=inner_type(body))
            command = Record.command(PI.ACTIVATE_ELEMENT, value, key=body.ctx.next_key())
            body.ctx.send(body.ctx.partition_id, command)
    elif counter % chunk == 1:
        for _ in range(min(chunk - 1, size - counter)):
            activate_inner(body)


def _variable_name(expression: Expression | None) -> str | None:
    """The variable an output element such as `= result` or `= result.id` names, if any."""
    if expression is None:
        return None
    match = _PATH.fullmatch(expression.feel_text)
    if match is None or match.group(1) in _LITERALS:
        return None
    return match.group(1)


def on_inner_activating(inner: ElementCall) -> bool:
    """Set the inner instance's local loop variables: the input element, a null output element
    (so the inner activity's results land in it, not in an outer scope) and `loopCounter`.
    False after raising an incident."""
    instance = inner.instance
    loop = loop_of(inner)
    counter = 1 if instance is None else (instance.loop_counter or 1)
    try:
        collection = input_collection(inner, inner.key)
    except ExpressionFailure as failure:
        raise_incident(inner, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
        return False
    if counter > len(collection):
        raise_incident(
            inner,
            ErrorType.EXTRACT_VALUE_ERROR,
            f"Expected to read item at index {counter - 1} of the multiInstanceBody input"
            f" collection but it contains only {len(collection)} elements. The input"
            " collection might be modified while iterating over it.",
        )
        return False
    local: dict[str, Any] = {}
    if loop.input_element is not None:
        local[loop.input_element] = collection[counter - 1]
    output_name = _variable_name(loop.output_element)
    if output_name not in (None, loop.input_element, LOOP_COUNTER_VARIABLE):
        local[str(output_name)] = None
    local[LOOP_COUNTER_VARIABLE] = counter
    set_local(inner, inner.key, local)
    return True


def _update_output_collection(body: ElementCall, inner: ElementCall) -> None:
    loop = loop_of(body)
    if loop.output_collection is None or loop.output_element is None:
        return
    reader = body.ctx.state.variables
    found = reader.get_local(body.key, loop.output_collection)
    instance = inner.instance
    index = (1 if instance is None else (instance.loop_counter or 1)) - 1
    if found is None or not isinstance(found[1], list) or index >= len(found[1]):
        raise ExpressionFailure(
            f"Unable to update an item in output collection '{loop.output_collection}' at"
            f" position {index + 1} because the output collection is missing or too short"
        )
    element = evaluate(loop.output_element, reader.visible(inner.key), body.ctx.now_ms)
    collection = list(found[1])
    collection[index] = element
    set_local(body, body.key, {loop.output_collection: collection})


def _completion_condition(body: ElementCall, inner: ElementCall) -> bool:
    condition = loop_of(body).completion_condition
    instance = body.instance
    if condition is None or instance is None:
        return False
    variables = body.ctx.state.variables.visible(inner.key)
    # Evaluated while the inner instance is still completing: Zeebe counts it as completed
    # and no longer active.
    variables.update(
        numberOfInstances=instance.loop_counter,
        numberOfActiveInstances=instance.active_children - 1,
        numberOfCompletedInstances=instance.completed_inner + 1,
        numberOfTerminatedInstances=instance.terminated_inner,
    )
    return bool(evaluate_typed(condition, variables, body.ctx.now_ms, bool))


def complete_inner(inner: ElementCall) -> None:
    """An inner instance finishes: fill its output slot and evaluate the completion condition
    (a failure is an incident on the inner instance, which stays COMPLETING), then
    ELEMENT_COMPLETED and let the body go on."""
    scope_instance = inner.ctx.state.elements.get(inner.value.flow_scope_key)
    if scope_instance is None:
        return
    body = inner.for_instance(scope_instance)
    try:
        _update_output_collection(body, inner)
        satisfied = _completion_condition(body, inner)
        size = len(input_collection(body, body.key))
    except ExpressionFailure as failure:
        raise_incident(inner, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
        return
    lifecycle.write_completed(inner)
    _after_inner_completed(body, satisfied, size)


def _after_inner_completed(body: ElementCall, satisfied: bool, size: int) -> None:
    loop = loop_of(body)
    if satisfied:
        if lifecycle.terminate_children(body) == 0 or loop.is_sequential:
            lifecycle.request_completion(body)
        return
    instance = body.instance
    if instance is None:
        return
    if loop.is_sequential and instance.loop_counter < size:
        activate_inner(body)
        return
    ended = instance.completed_inner + instance.terminated_inner
    if lifecycle.scope_can_complete(body) and ended >= size:
        lifecycle.request_completion(body)
