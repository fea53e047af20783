"""Correlating messages to subscriptions on the message's partition, and the commands that
cross to the instance's partition. A message goes at most once to each process (BPMN process
id), as in Zeebe: to one waiting subscription of it, or to one of its message start events."""

from __future__ import annotations

import dataclasses

from broker.protocol import Record
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from broker.protocol.keys import decode_partition
from broker.protocol.values import (
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from processors.engine.context import ProcessingContext
from processors.engine.state.message_state import StoredMessage
from processors.engine.state.message_subscription_state import MessageSubscription


def correlate_to_waiting(
    ctx: ProcessingContext, message: StoredMessage, skip_processes: set[str]
) -> None:
    """A new message: CORRELATING for the first free subscription of each process."""
    value = message.value
    for subscription in ctx.state.message_subscriptions.waiting_for(
        value.name, value.correlation_key, value.tenant_id
    ):
        process_id = subscription.value.bpmn_process_id
        if subscription.correlating or process_id in skip_processes:
            continue
        skip_processes.add(process_id)
        start_correlating(ctx, subscription, message)


def correlate_next_message(ctx: ProcessingContext, subscription: MessageSubscription) -> bool:
    """A subscription that is free again (new, or non-interrupting and correlated): take the
    oldest buffered message not yet correlated to its process. True if one was found."""
    value = subscription.value
    messages = ctx.state.messages
    for message in messages.buffered(value.message_name, value.correlation_key, value.tenant_id):
        if message.value.deadline <= ctx.now_ms:
            continue  # expired, its EXPIRE command is on the way
        if messages.correlated_to(message.key, value.bpmn_process_id):
            continue
        start_correlating(ctx, subscription, message)
        return True
    return False


def correlate_to_another(
    ctx: ProcessingContext, message: StoredMessage, rejected: MessageSubscriptionRecordValue
) -> bool:
    """An instance refused a message: offer it to another subscription of the same process."""
    for subscription in ctx.state.message_subscriptions.waiting_for(
        rejected.message_name, rejected.correlation_key, rejected.tenant_id
    ):
        candidate = subscription.value
        if (
            candidate.bpmn_process_id == rejected.bpmn_process_id
            and candidate.element_instance_key != rejected.element_instance_key
            and not subscription.correlating
        ):
            start_correlating(ctx, subscription, message)
            return True
    return False


def start_correlating(
    ctx: ProcessingContext, subscription: MessageSubscription, message: StoredMessage
) -> None:
    correlating = dataclasses.replace(
        subscription.value, message_key=message.key, variables=message.value.variables
    )
    ctx.event(subscription.key, MS.CORRELATING, correlating)
    send_correlate(ctx, correlating)


def send_correlate(ctx: ProcessingContext, value: MessageSubscriptionRecordValue) -> None:
    """PROCESS_MESSAGE_SUBSCRIPTION CORRELATE to the instance's partition."""
    send_to_instance(ctx, PMS.CORRELATE, process_value(value))


def process_value(value: MessageSubscriptionRecordValue) -> ProcessMessageSubscriptionRecordValue:
    """The instance partition's record of a message subscription."""
    return ProcessMessageSubscriptionRecordValue(
        process_instance_key=value.process_instance_key,
        element_instance_key=value.element_instance_key,
        bpmn_process_id=value.bpmn_process_id,
        message_name=value.message_name,
        correlation_key=value.correlation_key,
        message_key=value.message_key,
        variables=value.variables,
        interrupting=value.interrupting,
        element_id=value.element_id,
        tenant_id=value.tenant_id,
    )


def send_to_instance(
    ctx: ProcessingContext, intent: PMS, value: ProcessMessageSubscriptionRecordValue
) -> None:
    partition = decode_partition(value.element_instance_key)
    ctx.send(partition, Record.command(intent, value))


def subscription_value(
    value: ProcessMessageSubscriptionRecordValue,
    process_definition_key: int = -1,
    message_key: int = -1,
) -> MessageSubscriptionRecordValue:
    """The message partition's record of a process message subscription."""
    return MessageSubscriptionRecordValue(
        process_instance_key=value.process_instance_key,
        element_instance_key=value.element_instance_key,
        process_definition_key=process_definition_key,
        bpmn_process_id=value.bpmn_process_id,
        message_name=value.message_name,
        correlation_key=value.correlation_key,
        message_key=message_key,
        interrupting=value.interrupting,
        element_id=value.element_id,
        tenant_id=value.tenant_id,
    )
