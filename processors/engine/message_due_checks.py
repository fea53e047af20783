"""What time calls for in the message domain, as commands: MESSAGE EXPIRE at a message's
deadline, and the re-sending of subscription commands another partition has not acknowledged
(Zeebe's PendingProcessMessageSubscriptionChecker and PendingMessageSubscriptionChecker). A
re-send is a command on this partition whose processor forwards it and resets the timer."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from broker.protocol.intents import MessageIntent
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from processors.engine.message_correlation import process_value, subscription_value
from processors.engine.state import StateReaders


def message_due_commands(state: StateReaders, now_ms: int) -> list[Record[Any]]:
    commands: list[Record[Any]] = []
    for message_key in state.messages.deadlines_until(now_ms):
        message = state.messages.get(message_key)
        if message is not None:
            commands.append(Record.command(MessageIntent.EXPIRE, message.value, key=message_key))
    subscriptions = state.message_subscriptions
    for key in subscriptions.process_subscriptions_to_resend(now_ms):
        pending = subscriptions.process_subscription(key)
        if pending is None:
            continue
        element = state.elements.get(pending.value.element_instance_key)
        definition_key = -1 if element is None else element.value.process_definition_key
        value = subscription_value(pending.value, definition_key)
        intent = MS.CREATE if pending.state == "CREATING" else MS.DELETE
        commands.append(Record.command(intent, value))
    for key in subscriptions.correlations_to_resend(now_ms):
        correlating = subscriptions.get(key)
        if correlating is not None:
            commands.append(Record.command(PMS.CORRELATE, process_value(correlating.value)))
    return commands
