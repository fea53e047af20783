"""What time calls for in the message domain, as commands: MESSAGE_BATCH EXPIRE with the
messages whose deadline passed (at most EXPIRE_BATCH_LIMIT keys per command), and the
re-sending of subscription commands another partition has not acknowledged (Zeebe's
PendingProcessMessageSubscriptionChecker and PendingMessageSubscriptionChecker). A re-send is a
command on this partition whose processor forwards it and resets the timer."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from broker.protocol.intents import MessageBatchIntent
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from broker.protocol.values import MessageBatchRecordValue
from processors.engine.message_correlation import process_value, subscription_value
from processors.engine.state import StateReaders

EXPIRE_BATCH_LIMIT = 1000
"""Keys per MESSAGE_BATCH EXPIRE command: bounds the records one command writes."""


def message_due_commands(state: StateReaders, now_ms: int) -> list[Record[Any]]:
    commands: list[Record[Any]] = []
    due = state.messages.deadlines_until(now_ms)
    for start in range(0, len(due), EXPIRE_BATCH_LIMIT):
        batch = MessageBatchRecordValue(message_keys=tuple(due[start : start + EXPIRE_BATCH_LIMIT]))
        commands.append(Record.command(MessageBatchIntent.EXPIRE, batch))
    subscriptions = state.message_subscriptions
    for key in subscriptions.process_subscriptions_to_resend(now_ms):
        pending = subscriptions.process_subscription(key)
        if pending is None:
            continue
        element = state.elements.get(pending.value.element_instance_key)
        definition_key = -1 if element is None else element.value.process_definition_key
        value = subscription_value(pending.value, definition_key)
        intent = MS.CREATE if pending.state is PMS.CREATING else MS.DELETE
        commands.append(Record.command(intent, value))
    for key in subscriptions.correlations_to_resend(now_ms):
        correlating = subscriptions.get(key)
        if correlating is not None:
            commands.append(Record.command(PMS.CORRELATE, process_value(correlating.value)))
    return commands
