"""VARIABLE_DOCUMENT UPDATE (set variables): LOCAL sets every variable in the given scope;
PROPAGATE updates each where it is visible from the scope, else creates it in the process
instance."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.intents import VariableDocumentIntent
from broker.protocol.values import VariableDocumentRecordValue, VariableDocumentUpdateSemantic
from processors.engine.bpmn.element_call import call_for
from processors.engine.bpmn.variable_behavior import merge, set_local
from processors.engine.context import ProcessingContext


def update_variables(command: Record[VariableDocumentRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    instance = ctx.state.elements.get(value.scope_key)
    if instance is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to update variables for element with key '{value.scope_key}', but no"
            " such element was found",
        )
        return
    if not isinstance(value.variables, dict):
        ctx.reject(RejectionType.INVALID_ARGUMENT, "Expected variables to be a JSON object")
        return
    call = call_for(ctx, instance)
    if value.update_semantics is VariableDocumentUpdateSemantic.LOCAL:
        set_local(call, value.scope_key, value.variables)
    else:
        merge(call, value.scope_key, value.variables)
    ctx.respond(ctx.event(ctx.next_key(), VariableDocumentIntent.UPDATED, value))
