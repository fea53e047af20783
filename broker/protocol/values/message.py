"""Values of messages and of the subscriptions that correlate them to process instances.

A message lives on the partition chosen by a hash of its correlation key; a process instance
waiting for it opens a PROCESS_MESSAGE_SUBSCRIPTION on its own partition and a
MESSAGE_SUBSCRIPTION on the message's partition (Zeebe's two-sided subscription).
"""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)


@dataclass(frozen=True, slots=True)
class MessageRecordValue(RecordValue):
    """A published message. The record's `key` is the message key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.MESSAGE
    SCHEMA_NAME: ClassVar[str] = "message"

    name: str = prop("The message name, matched against a catch event's message name.", default="")
    correlation_key: str = prop(
        "The value matched against the subscription's correlation key.", default=""
    )
    message_id: str = prop(
        "Optional id; a second message with the same id (within its TTL) is rejected.",
        default="",
    )
    time_to_live: int = prop(
        "Milliseconds the message waits to be correlated; 0 correlates only now. Required on"
        " PUBLISH: a negative value is rejected (INVALID_ARGUMENT).",
        default=-1,
    )
    deadline: int = prop("Epoch millis when the message expires; `-1` if not set.", default=-1)
    variables: dict[str, Any] = variables_prop(
        "Variables the message sets in the instance it correlates to."
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class MessageBatchRecordValue(RecordValue):
    """A batch of messages to expire at once (EXPIRE)."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.MESSAGE_BATCH
    SCHEMA_NAME: ClassVar[str] = "message-batch"

    message_keys: tuple[int, ...] = prop("The keys of the messages to expire.", default=())


@dataclass(frozen=True, slots=True)
class MessageCorrelationRecordValue(RecordValue):
    """A message correlated with a result (Zeebe 8.6's CorrelateMessage): answered with the
    process instance it started or continued, never buffered. The record's `key` is the
    message key (from CORRELATING on)."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.MESSAGE_CORRELATION
    SCHEMA_NAME: ClassVar[str] = "message-correlation"

    name: str = prop("The message name, matched against a catch event's message name.", default="")
    correlation_key: str = prop(
        "The value matched against the subscription's correlation key.", default=""
    )
    variables: dict[str, Any] = variables_prop(
        "Variables the message sets in the instance it correlates to."
    )
    message_key: int = key_prop("The message the command published (set from CORRELATING on).")
    process_instance_key: int = key_prop(
        "The process instance the message started or continued (CORRELATED)."
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class MessageSubscriptionRecordValue(RecordValue):
    """A subscription on the message's partition, waiting for a message with this name and
    correlation key on behalf of an element instance."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.MESSAGE_SUBSCRIPTION
    SCHEMA_NAME: ClassVar[str] = "message-subscription"

    process_instance_key: int = key_prop("The waiting process instance.")
    element_instance_key: int = key_prop("The waiting element instance.")
    process_definition_key: int = key_prop("The key of the deployed process.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    message_name: str = prop("The awaited message name.", default="")
    correlation_key: str = prop("The awaited correlation key.", default="")
    message_key: int = key_prop("The correlated message (set from CORRELATING on).")
    variables: dict[str, Any] = variables_prop("The correlated message's variables.")
    interrupting: bool = prop(
        "True if the catching event interrupts its activity (boundary/event sub-process).",
        default=True,
    )
    element_id: str = prop("The BPMN id of the catching element.", default="")
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class ProcessMessageSubscriptionRecordValue(RecordValue):
    """The process instance side of a message subscription, on the instance's partition."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
    SCHEMA_NAME: ClassVar[str] = "process-message-subscription"

    process_instance_key: int = key_prop("The waiting process instance.")
    element_instance_key: int = key_prop("The waiting element instance.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    message_name: str = prop("The awaited message name.", default="")
    correlation_key: str = prop("The awaited correlation key.", default="")
    message_key: int = key_prop("The correlated message.")
    variables: dict[str, Any] = variables_prop("The correlated message's variables.")
    interrupting: bool = prop(
        "True if the catching event interrupts its activity (boundary/event sub-process).",
        default=True,
    )
    element_id: str = prop("The BPMN id of the catching element.", default="")
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class MessageStartEventSubscriptionRecordValue(RecordValue):
    """A deployed process's message start event, waiting for messages of a name."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION
    SCHEMA_NAME: ClassVar[str] = "message-start-event-subscription"

    process_definition_key: int = key_prop("The deployed process the start event belongs to.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    start_event_id: str = prop("The BPMN id of the message start event.", default="")
    message_name: str = prop("The awaited message name.", default="")
    message_key: int = key_prop("The correlated message (CORRELATED).")
    correlation_key: str = prop("The correlated message's correlation key.", default="")
    process_instance_key: int = key_prop("The process instance the message started.")
    variables: dict[str, Any] = variables_prop("The correlated message's variables.")
    tenant_id: str = tenant_prop()
