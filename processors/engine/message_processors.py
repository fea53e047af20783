"""MESSAGE PUBLISH and EXPIRE on the partition of the message's correlation key. A published
message is correlated at once (to waiting subscriptions and message start events, at most once
per process) and stays buffered until its deadline; a time to live of 0 correlates only now.

Messages whose deadline passed are expired in batches, as Zeebe 8.x does: the due date checker
writes MESSAGE_BATCH EXPIRE with the keys of the due messages, whose processor writes MESSAGE
EXPIRED for each message still buffered (a key already gone is skipped). MESSAGE EXPIRE for a
single message is still processed."""

from __future__ import annotations

import dataclasses

from broker.protocol import Record, RejectionType
from broker.protocol.intents import MessageIntent
from broker.protocol.values import MessageBatchRecordValue, MessageRecordValue
from processors.engine.context import ProcessingContext
from processors.engine.message_correlation import correlate_to_waiting
from processors.engine.message_partition import message_partition
from processors.engine.message_start_behavior import correlate_to_start_events
from processors.engine.state.message_state import StoredMessage


def publish(command: Record[MessageRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    if not value.name:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected to publish a message with a name, but the name is empty",
        )
        return
    if message_partition(value.correlation_key, ctx.partition_count) != ctx.partition_id:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to publish message '{value.name}' with correlation key"
            f" '{value.correlation_key}' on partition"
            f" {message_partition(value.correlation_key, ctx.partition_count)}, but it was"
            f" sent to partition {ctx.partition_id}",
        )
        return
    if value.message_id and ctx.state.messages.exists_with_id(
        value.name, value.correlation_key, value.message_id, value.tenant_id
    ):
        ctx.reject(
            RejectionType.ALREADY_EXISTS,
            f"Expected to publish a new message with id '{value.message_id}', but a message"
            " with that id was already published",
        )
        return
    ttl = max(0, value.time_to_live)
    published = dataclasses.replace(value, time_to_live=ttl, deadline=ctx.now_ms + ttl)
    key = ctx.next_key()
    ctx.respond(ctx.event(key, MessageIntent.PUBLISHED, published))
    message = StoredMessage(key, published)
    correlated: set[str] = set()
    correlate_to_waiting(ctx, message, correlated)
    correlate_to_start_events(ctx, message, correlated)
    if ttl == 0:
        # Expire at once, so that no later subscription can take it.
        ctx.event(key, MessageIntent.EXPIRED, published)


def expire(command: Record[MessageRecordValue], ctx: ProcessingContext) -> None:
    message = ctx.state.messages.get(command.key)
    if message is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to expire message with key '{command.key}', but no such message was found",
        )
        return
    ctx.event(command.key, MessageIntent.EXPIRED, message.value)


def expire_batch(command: Record[MessageBatchRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    for message_key in value.message_keys:
        message = ctx.state.messages.get(message_key)
        if message is not None:
            ctx.event(message_key, MessageIntent.EXPIRED, message.value)
