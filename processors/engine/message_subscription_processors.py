"""MESSAGE_SUBSCRIPTION commands on the message's partition: CREATE (open, and correlate a
buffered message), CORRELATE (the instance took the message), REJECT (it could not; offer the
message to another instance of the process), DELETE (the instance stopped waiting). Every
command may arrive twice; each answers again so the instance's partition stops re-sending.

A CREATE or DELETE processed on the *instance's* partition is that partition's own re-send
(from the due date checker): it is forwarded to the message partition, and the pending event
is written again so that the next re-send waits another RESEND_AFTER_MS.
"""

from __future__ import annotations

from typing import Any

from broker.protocol import Record, RejectionType
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from broker.protocol.keys import decode_partition
from broker.protocol.values import MessageSubscriptionRecordValue
from processors.engine.context import ProcessingContext
from processors.engine.message_correlation import (
    correlate_next_message,
    correlate_to_another,
    process_value,
    send_to_instance,
)
from processors.engine.message_correlation_processors import (
    answer_correlated,
    answer_not_correlated,
)
from processors.engine.message_partition import message_partition
from processors.engine.state.message_subscription_state import ProcessMessageSubscription


def _is_resend(command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext) -> bool:
    target = message_partition(command.value.correlation_key, ctx.partition_count)
    return target != ctx.partition_id


def _forward(
    command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext, expected_state: PMS
) -> None:
    value = command.value
    pending: ProcessMessageSubscription | None = (
        ctx.state.message_subscriptions.process_subscription_for(
            value.element_instance_key, value.message_name
        )
    )
    if pending is None or pending.state is not expected_state:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to send {command.intent} of the message subscription for element"
            f" '{value.element_instance_key}' and message '{value.message_name}' to partition"
            f" {message_partition(value.correlation_key, ctx.partition_count)}, but it is not"
            f" {expected_state} any more",
        )
        return
    ctx.event(pending.key, expected_state, pending.value)
    partition = message_partition(value.correlation_key, ctx.partition_count)
    ctx.send(partition, Record.command(command.intent, value))


def _acknowledge(ctx: ProcessingContext, value: Any, intent: PMS) -> None:
    send_to_instance(ctx, intent, process_value(value))


def _element_partition_problem(
    value: MessageSubscriptionRecordValue, ctx: ProcessingContext
) -> str | None:
    """Why the subscription's element instance key names no partition to answer (a command
    written to the commands topic by hand; the engine's own carry the element's key)."""
    key = value.element_instance_key
    try:
        partition = decode_partition(key)
    except ValueError:
        partition = 0
    if 1 <= partition <= ctx.partition_count:
        return None
    return (
        f"Expected to open a message subscription for the element instance with key '{key}',"
        f" but that key names no partition of this cluster (1..{ctx.partition_count})"
    )


def create(command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    reason = _element_partition_problem(command.value, ctx)
    if reason is not None:
        ctx.reject(RejectionType.INVALID_ARGUMENT, reason)
        return
    if _is_resend(command, ctx):
        _forward(command, ctx, PMS.CREATING)
        return
    value = command.value
    subscriptions = ctx.state.message_subscriptions
    if subscriptions.for_element(value.element_instance_key, value.message_name) is not None:
        _acknowledge(ctx, value, PMS.CREATE)
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to open a new message subscription for element with key"
            f" '{value.element_instance_key}' and message name '{value.message_name}', but"
            " there is already a message subscription for that element key and message name"
            " opened",
        )
        return
    key = ctx.next_key()
    ctx.event(key, MS.CREATED, value)
    subscription = subscriptions.get(key)
    # A correlated message is the acknowledgement; otherwise acknowledge the opening.
    if subscription is None or not correlate_next_message(ctx, subscription):
        _acknowledge(ctx, value, PMS.CREATE)


def correlate(command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    subscription = ctx.state.message_subscriptions.for_element(
        value.element_instance_key, value.message_name
    )
    prefix = (
        f"Expected to correlate subscription for element with key '{value.element_instance_key}'"
        f" and message name '{value.message_name}'"
    )
    if subscription is None:
        ctx.reject(RejectionType.NOT_FOUND, f"{prefix}, but no such message subscription exists")
        return
    if subscription.value.message_key != value.message_key or not subscription.correlating:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"{prefix} to message '{value.message_key}', but the subscription is not"
            " correlating that message (a repeated acknowledgement)",
        )
        return
    ctx.event(subscription.key, MS.CORRELATED, subscription.value)
    answer_correlated(ctx, subscription.value)
    if not subscription.value.interrupting:
        again = ctx.state.message_subscriptions.get(subscription.key)
        if again is not None:
            correlate_next_message(ctx, again)


def reject(command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    subscription = ctx.state.message_subscriptions.for_element(
        value.element_instance_key, value.message_name
    )
    key = command.key if subscription is None else subscription.key
    ctx.event(key, MS.REJECTED, value)
    message = ctx.state.messages.get(value.message_key)
    if message is not None and message.value.deadline > ctx.now_ms:
        correlate_to_another(ctx, message, value)
    answer_not_correlated(ctx, value)


def delete(command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    if _is_resend(command, ctx):
        _forward(command, ctx, PMS.DELETING)
        return
    value = command.value
    subscription = ctx.state.message_subscriptions.for_element(
        value.element_instance_key, value.message_name
    )
    _acknowledge(ctx, value, PMS.DELETE)
    if subscription is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to delete the message subscription for element with key"
            f" '{value.element_instance_key}' and message name '{value.message_name}', but"
            " none was found",
        )
        return
    ctx.event(subscription.key, MS.DELETED, subscription.value)
