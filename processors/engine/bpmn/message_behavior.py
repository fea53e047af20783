"""The MESSAGE kind of catch-event subscription (an entry of `subscription_kinds`): an
event scope waiting for a message opens a PROCESS_MESSAGE_SUBSCRIPTION (CREATING) on its own
partition and sends MESSAGE_SUBSCRIPTION CREATE to the partition of the correlation key;
leaving closes it (DELETING → MESSAGE_SUBSCRIPTION DELETE). The message name and correlation
key are evaluated when the scope activates; a failure is an EXTRACT_VALUE_ERROR incident."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from bpmn import Expression, FlowNode
from broker.protocol import Record
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from broker.protocol.values import ProcessMessageSubscriptionRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_trigger_behavior import is_interrupting
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate
from processors.engine.message_correlation import subscription_value
from processors.engine.message_partition import message_partition


def _type_name(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, list):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    return type(value).__name__.upper()


def correlation_key_text(value: object) -> str | None:
    """A correlation key must be a string or a number (numbers as their integer text, as in
    Zeebe: 123 and 123.0 both correlate as "123")."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(int(value)) if value == int(value) else str(value)
    return None


def evaluate_message_name(expression: Expression, call: ElementCall) -> str:
    variables = call.ctx.state.variables.visible(call.key)
    name = evaluate(expression, variables, call.ctx.now_ms)
    if not isinstance(name, str):
        raise ExpressionFailure(
            f"Expected result of the expression '{expression.feel_text}' to be 'STRING',"
            f" but was '{_type_name(name)}'."
        )
    return name


def evaluate_correlation_key(expression: Expression, call: ElementCall) -> str:
    text = expression.feel_text
    variables = call.ctx.state.variables.visible(call.key)
    try:
        value = evaluate(expression, variables, call.ctx.now_ms)
    except ExpressionFailure as failure:
        raise ExpressionFailure(
            f"Failed to extract the correlation key for '{text}': {failure.message}"
        ) from None
    key = correlation_key_text(value)
    if key is None:
        raise ExpressionFailure(
            f"Failed to extract the correlation key for '{text}': Expected result of the"
            f" expression '{text}' to be one of '[STRING, NUMBER]', but was"
            f" '{_type_name(value)}'."
        )
    return key


class MessageSubscriptions:
    """Opens and closes the message subscriptions of event scopes."""

    def evaluate(self, call: ElementCall, node: FlowNode) -> tuple[str, str]:
        message = node.message
        if message is None or message.correlation_key is None:
            raise ExpressionFailure(
                f"Expected the message catch element '{node.id}' to have a message name and a"
                " correlation key, but it has not"
            )
        name = evaluate_message_name(message.name, call)
        return name, evaluate_correlation_key(message.correlation_key, call)

    def open(self, call: ElementCall, node: FlowNode, evaluated: tuple[str, str]) -> None:
        name, correlation_key = evaluated
        ctx = call.ctx
        value = ProcessMessageSubscriptionRecordValue(
            process_instance_key=call.value.process_instance_key,
            element_instance_key=call.key,
            bpmn_process_id=call.value.bpmn_process_id,
            message_name=name,
            correlation_key=correlation_key,
            interrupting=is_interrupting(call.process, node),
            element_id=node.id,
            tenant_id=call.value.tenant_id,
        )
        ctx.event(ctx.next_key(), PMS.CREATING, value)
        command = subscription_value(value, call.value.process_definition_key)
        partition = message_partition(correlation_key, ctx.partition_count)
        ctx.send(partition, Record.command(MS.CREATE, command))

    def close(self, call: ElementCall, element_ids: Collection[str]) -> None:
        ctx = call.ctx
        for subscription in ctx.state.message_subscriptions.process_subscriptions_of(call.key):
            value = subscription.value
            if value.element_id not in element_ids or subscription.state is PMS.DELETING:
                continue
            ctx.event(subscription.key, PMS.DELETING, value)
            partition = message_partition(value.correlation_key, ctx.partition_count)
            command = subscription_value(value, call.value.process_definition_key)
            ctx.send(partition, Record.command(MS.DELETE, command))
