"""PROCESS_MESSAGE_SUBSCRIPTION commands on the instance's partition: CREATE and DELETE are the
message partition's acknowledgements of opening and closing; CORRELATE brings a message to the
waiting element, which is triggered if it still takes the message (else the message partition
is told to REJECT it, so another instance may get it). Duplicates are answered again.

A CORRELATE processed on the *message's* partition is that partition's own re-send (from the
due date checker): it is forwarded to the instance's partition and the CORRELATING event is
written again, so that the next re-send waits another RESEND_AFTER_MS.
"""

from __future__ import annotations

import dataclasses

from broker.protocol import Record, RejectionType
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from broker.protocol.keys import decode_partition
from broker.protocol.values import ProcessMessageSubscriptionRecordValue
from processors.engine.bpmn.event_trigger_behavior import can_trigger, trigger_event
from processors.engine.context import ProcessingContext
from processors.engine.message_correlation import send_correlate, subscription_value
from processors.engine.message_partition import message_partition


def _reason(value: ProcessMessageSubscriptionRecordValue, action: str, problem: str) -> str:
    return (
        f"Expected to {action} the process message subscription with element key"
        f" '{value.element_instance_key}' and message name '{value.message_name}', but"
        f" {problem}"
    )


def _send_to_message_partition(
    ctx: ProcessingContext, intent: MS, value: ProcessMessageSubscriptionRecordValue
) -> None:
    partition = message_partition(value.correlation_key, ctx.partition_count)
    command = subscription_value(value, message_key=value.message_key)
    ctx.send(partition, Record.command(intent, command))


def create(command: Record[ProcessMessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    subscription = ctx.state.message_subscriptions.process_subscription_for(
        value.element_instance_key, value.message_name
    )
    if subscription is None:
        ctx.reject(RejectionType.NOT_FOUND, _reason(value, "open", "no such subscription exists"))
        return
    if subscription.state is not PMS.CREATING:
        ctx.reject(
            RejectionType.INVALID_STATE,
            _reason(value, "open", f"it is already {subscription.state}"),
        )
        return
    ctx.event(subscription.key, PMS.CREATED, subscription.value)


def delete(command: Record[ProcessMessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    subscription = ctx.state.message_subscriptions.process_subscription_for(
        value.element_instance_key, value.message_name
    )
    if subscription is None or subscription.state is not PMS.DELETING:
        ctx.reject(
            RejectionType.NOT_FOUND,
            _reason(value, "close", "no such subscription is being closed"),
        )
        return
    ctx.event(subscription.key, PMS.DELETED, subscription.value)


def correlate(
    command: Record[ProcessMessageSubscriptionRecordValue], ctx: ProcessingContext
) -> None:
    value = command.value
    if decode_partition(value.element_instance_key) != ctx.partition_id:
        _forward_correlation(command, ctx)
        return
    subscription = ctx.state.message_subscriptions.process_subscription_for(
        value.element_instance_key, value.message_name
    )
    if subscription is None:
        ctx.reject(RejectionType.NOT_FOUND, _reason(value, "correlate", "no such subscription"))
        _send_to_message_partition(ctx, MS.REJECT, value)
        return
    if subscription.state is PMS.DELETING:
        ctx.reject(RejectionType.INVALID_STATE, _reason(value, "correlate", "it is closing"))
        _send_to_message_partition(ctx, MS.REJECT, value)
        return
    stored = subscription.value
    if value.message_key <= stored.message_key:
        # Already taken (a re-sent CORRELATE): acknowledge again, the first answer may be lost.
        ctx.reject(
            RejectionType.INVALID_STATE,
            _reason(value, "correlate", f"message '{value.message_key}' was already correlated"),
        )
        _send_to_message_partition(ctx, MS.CORRELATE, value)
        return
    scope = ctx.state.elements.get(value.element_instance_key)
    process = (
        None
        if scope is None
        else ctx.state.processes.executable(scope.value.process_definition_key)
    )
    node = None if process is None else process.elements.get(stored.element_id)
    if scope is None or node is None or not can_trigger(ctx.state, scope, node):
        ctx.reject(
            RejectionType.INVALID_STATE,
            _reason(value, "correlate", "the element does not take the message any more"),
        )
        _send_to_message_partition(ctx, MS.REJECT, value)
        return
    correlated = dataclasses.replace(
        value, element_id=stored.element_id, interrupting=stored.interrupting
    )
    ctx.event(subscription.key, PMS.CORRELATED, correlated)
    trigger_event(ctx, scope, node, dict(value.variables))
    _send_to_message_partition(ctx, MS.CORRELATE, correlated)


def _forward_correlation(
    command: Record[ProcessMessageSubscriptionRecordValue], ctx: ProcessingContext
) -> None:
    value = command.value
    subscription = ctx.state.message_subscriptions.for_element(
        value.element_instance_key, value.message_name
    )
    if (
        subscription is None
        or not subscription.correlating
        or subscription.value.message_key != value.message_key
    ):
        ctx.reject(
            RejectionType.INVALID_STATE,
            _reason(
                value,
                "send CORRELATE of",
                f"it is not correlating message '{value.message_key}' any more",
            ),
        )
        return
    ctx.event(subscription.key, MS.CORRELATING, subscription.value)
    send_correlate(ctx, subscription.value)
