"""MESSAGE_CORRELATION CORRELATE (Zeebe 8.6's CorrelateMessage), on the partition of the
message's correlation key: a message correlated at once and answered with the process instance
it started or continued, never buffered.

Nothing waiting for it (no free subscription, no message start event that may start): NOT_FOUND
rejection with Zeebe's text, nothing written. Otherwise MESSAGE PUBLISHED, MESSAGE_CORRELATION
CORRELATING, the correlation as for a published message (a waiting subscription of each
process, else a message start event), and MESSAGE EXPIRED. A started instance answers at once
(CORRELATED with its key); a waiting subscription answers when its instance's partition
confirms (MESSAGE_SUBSCRIPTION CORRELATE → CORRELATED), or, when every instance refused the
message, MESSAGE_CORRELATION NOT_CORRELATED and a NOT_FOUND rejection. The waiting request is
remembered by the engine as create-with-result's is (by message key)."""

from __future__ import annotations

import dataclasses
from typing import Final

from broker.protocol import Record, RejectionType
from broker.protocol.intents import MessageCorrelationIntent, MessageIntent
from broker.protocol.values import (
    MessageCorrelationRecordValue,
    MessageRecordValue,
    MessageSubscriptionRecordValue,
)
from processors.engine.context import ProcessingContext
from processors.engine.message_correlation import correlate_to_waiting
from processors.engine.message_partition import message_partition
from processors.engine.message_start_behavior import correlate_to_start_events
from processors.engine.state.message_state import StoredMessage

SUBSCRIPTION_NOT_FOUND: Final = (
    "Expected to find subscription for message with name '{name}' and correlation key"
    " '{key}', but none was found."
)
BLOCKED_BY_ACTIVE_INSTANCE: Final = (
    "Expected to find subscription for message with name '{name}' and correlation key"
    " '{key}', but no active subscription was found. A process instance with this correlation"
    " key is already active for a message start event with this message name in process IDs"
    " [{processes}]. Only one active process instance per correlation key is allowed for"
    " message start events."
)


def correlate(command: Record[MessageCorrelationRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    if not value.name:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected to correlate a message with a name, but the name is empty",
        )
        return
    target = message_partition(value.correlation_key, ctx.partition_count)
    if target != ctx.partition_id:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to correlate message '{value.name}' with correlation key"
            f" '{value.correlation_key}' on partition {target}, but it was sent to partition"
            f" {ctx.partition_id}",
        )
        return
    blocked = _blocked_or_none(ctx, value)
    if blocked is not None:
        template = BLOCKED_BY_ACTIVE_INSTANCE if blocked else SUBSCRIPTION_NOT_FOUND
        ctx.reject(
            RejectionType.NOT_FOUND,
            template.format(
                name=value.name, key=value.correlation_key, processes=", ".join(blocked)
            ),
        )
        return
    key = ctx.next_key()
    # Correlated now or never: a time to live of -1 as in Zeebe, expired below.
    published = MessageRecordValue(
        name=value.name,
        correlation_key=value.correlation_key,
        time_to_live=-1,
        deadline=ctx.now_ms,
        variables=value.variables,
        tenant_id=value.tenant_id,
    )
    ctx.event(key, MessageIntent.PUBLISHED, published)
    correlating = dataclasses.replace(value, message_key=key)
    ctx.event(key, MessageCorrelationIntent.CORRELATING, correlating)
    message = StoredMessage(key, published)
    correlated: set[str] = set()
    correlate_to_waiting(ctx, message, correlated)
    started = correlate_to_start_events(ctx, message, correlated)
    if started:
        done = dataclasses.replace(correlating, process_instance_key=started[0])
        ctx.respond(ctx.event(key, MessageCorrelationIntent.CORRELATED, done))
    else:
        ctx.await_result(key, ())
    ctx.event(key, MessageIntent.EXPIRED, published)


def _blocked_or_none(
    ctx: ProcessingContext, value: MessageCorrelationRecordValue
) -> list[str] | None:
    """None when something takes the message; else the processes whose message start event
    is blocked by an active instance with the correlation key (maybe none)."""
    subscriptions = ctx.state.message_subscriptions
    tenant = value.tenant_id
    for subscription in subscriptions.waiting_for(value.name, value.correlation_key, tenant):
        if not subscription.correlating:
            return None
    blocked: list[str] = []
    for start in subscriptions.start_subscriptions(value.name, tenant):
        process_id = start.value.bpmn_process_id
        if value.correlation_key and ctx.state.messages.active_start(
            process_id, value.correlation_key, tenant
        ):
            blocked.append(process_id)
        else:
            return None
    return blocked


def _answer_value(value: MessageSubscriptionRecordValue) -> MessageCorrelationRecordValue:
    return MessageCorrelationRecordValue(
        name=value.message_name,
        correlation_key=value.correlation_key,
        variables=value.variables,
        message_key=value.message_key,
        process_instance_key=value.process_instance_key,
        tenant_id=value.tenant_id,
    )


def answer_correlated(ctx: ProcessingContext, value: MessageSubscriptionRecordValue) -> None:
    """An instance took the message of a waiting correlate request: CORRELATED, answered."""
    awaiting = ctx.take_awaiting(value.message_key)
    if awaiting is None:
        return
    record = ctx.event(value.message_key, MessageCorrelationIntent.CORRELATED, _answer_value(value))
    ctx.writers.respond(awaiting.request_id, record)


def answer_not_correlated(ctx: ProcessingContext, value: MessageSubscriptionRecordValue) -> None:
    """An instance refused the message of a waiting correlate request: when no other instance
    may still take it, NOT_CORRELATED and a NOT_FOUND rejection."""
    for subscription in ctx.state.message_subscriptions.waiting_for(
        value.message_name, value.correlation_key, value.tenant_id
    ):
        if subscription.correlating and subscription.value.message_key == value.message_key:
            return  # another instance is still deciding
    awaiting = ctx.take_awaiting(value.message_key)
    if awaiting is None:
        return
    answer = _answer_value(dataclasses.replace(value, process_instance_key=-1))
    ctx.event(value.message_key, MessageCorrelationIntent.NOT_CORRELATED, answer)
    rejection = Record.command(
        MessageCorrelationIntent.CORRELATE, answer, key=value.message_key
    ).reject(
        RejectionType.NOT_FOUND,
        SUBSCRIPTION_NOT_FOUND.format(name=value.message_name, key=value.correlation_key),
        timestamp=ctx.now_ms,
    )
    ctx.writers.respond(awaiting.request_id, rejection)
