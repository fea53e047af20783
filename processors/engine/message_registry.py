"""The message domain's command processors by (value type, intent), merged into the engine's
`PROCESSORS`."""

from __future__ import annotations

from broker.protocol import Intent, ValueType
from broker.protocol.intents import MessageBatchIntent, MessageCorrelationIntent, MessageIntent
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from processors.engine import (
    message_correlation_processors,
    message_processors,
    message_subscription_processors,
    process_message_subscription_processors,
)
from processors.engine.context import CommandProcessor

MESSAGE_PROCESSORS: dict[tuple[ValueType, Intent], CommandProcessor] = {
    (ValueType.MESSAGE, MessageIntent.PUBLISH): message_processors.publish,
    (ValueType.MESSAGE, MessageIntent.EXPIRE): message_processors.expire,
    (ValueType.MESSAGE_BATCH, MessageBatchIntent.EXPIRE): message_processors.expire_batch,
    (ValueType.MESSAGE_CORRELATION, MessageCorrelationIntent.CORRELATE): (
        message_correlation_processors.correlate
    ),
    (ValueType.MESSAGE_SUBSCRIPTION, MS.CREATE): message_subscription_processors.create,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.CORRELATE): message_subscription_processors.correlate,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.REJECT): message_subscription_processors.reject,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.DELETE): message_subscription_processors.delete,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.CREATE): (
        process_message_subscription_processors.create
    ),
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.CORRELATE): (
        process_message_subscription_processors.correlate
    ),
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.DELETE): (
        process_message_subscription_processors.delete
    ),
}
