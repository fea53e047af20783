"""`correlate_message`, the client side of Zeebe 8.6's CorrelateMessage: MESSAGE_CORRELATION
CORRELATE to the partition of the correlation key, answered with the process instance the
message started or continued, or NOT_FOUND (`NotFoundError`) when nothing waits for it (the
message is not buffered)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker.protocol import Record
from broker.protocol.intents import MessageCorrelationIntent
from broker.protocol.values import MessageCorrelationRecordValue
from clients.arguments import Arguments
from clients.commands import check
from clients.tenants import with_tenant


@dataclass(frozen=True, slots=True)
class MessageCorrelation:
    """What `correlate_message` returns: the message's key and the process instance it
    started (message start event) or continued (a waiting catch event or receive task)."""

    message_key: int
    process_instance_key: int
    tenant_id: str


def correlate_command(
    name: object, correlation_key: object, variables: object, tenant_id: object
) -> Record[Any]:
    a = Arguments("correlate_message")
    command = Record.command(
        MessageCorrelationIntent.CORRELATE,
        MessageCorrelationRecordValue(
            name=a.text("name", name, required=True),
            correlation_key=a.text("correlation_key", correlation_key),
            variables=a.variables("variables", variables),
        ),
    )
    return with_tenant(command, "correlate_message", tenant_id)


def correlation_result(answer: Record[Any]) -> MessageCorrelation:
    value: MessageCorrelationRecordValue = check(answer).value
    return MessageCorrelation(value.message_key, value.process_instance_key, value.tenant_id)
