"""Throwing escalations (intermediate throw and end events). The escalation code (static or
FEEL) is evaluated while the thrower activates; the catch element is searched like an error's
(`error_behavior.find_catch`: event subprocess starts, then boundary events, from the thrower
outwards and through call activities; the thrown code wins over a catch-all). Caught:
ESCALATION ESCALATED and the catch element is triggered (no variables). Not caught: ESCALATION
NOT_ESCALATED, and the thrower simply goes on, as in Zeebe — an escalation is no error."""

from __future__ import annotations

from broker.protocol.intents import EscalationIntent
from broker.protocol.values import BpmnEventType, EscalationRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.error_behavior import find_catch
from processors.engine.bpmn.event_trigger_behavior import (
    can_trigger,
    is_interrupting,
    trigger_event,
)
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed


def evaluate_escalation_code(call: ElementCall) -> str:
    """The code the throwing element `call` escalates; raises ExpressionFailure."""
    node = call.require_node()
    if node.escalation is None or node.escalation.code is None:
        raise ExpressionFailure(f"Expected an escalation code on '{node.id}', but none given")
    variables = call.ctx.state.variables.visible(call.key)
    code: str = evaluate_typed(node.escalation.code, variables, call.ctx.now_ms, str)
    return code


def throw_escalation(call: ElementCall, code: str) -> bool:
    """Escalate `code` from the activated element `call`. True when the thrower goes on (not
    caught, or caught by a non-interrupting event); False when an interrupting catch will
    terminate it."""
    ctx = call.ctx
    found = find_catch(ctx.state, call.key, code, BpmnEventType.ESCALATION)
    if found is not None and can_trigger(ctx.state, found[0], found[1]):
        scope, catch = found
        ctx.event(
            ctx.next_key(),
            EscalationIntent.ESCALATED,
            _value(call, code, catch.id),
        )
        trigger_event(ctx, scope, catch, {})
        process = ctx.state.processes.executable(scope.value.process_definition_key)
        return not is_interrupting(process, catch)
    ctx.event(ctx.next_key(), EscalationIntent.NOT_ESCALATED, _value(call, code, ""))
    return True


def _value(call: ElementCall, code: str, catch_element_id: str) -> EscalationRecordValue:
    return EscalationRecordValue(
        process_instance_key=call.value.process_instance_key,
        escalation_code=code,
        throw_element_id=call.value.element_id,
        catch_element_id=catch_element_id,
    )
