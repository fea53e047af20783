"""Appliers of MESSAGE, MESSAGE_SUBSCRIPTION, PROCESS_MESSAGE_SUBSCRIPTION and
MESSAGE_START_EVENT_SUBSCRIPTION events. A half of a subscription that waits for the other
partition gets a resend time (the record's timestamp + RESEND_AFTER_MS), so replay rebuilds
it exactly and the due date checker knows when to send again."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import MessageIntent, MessageStartEventSubscriptionIntent
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
from broker.protocol.values import (
    BpmnElementType,
    MessageRecordValue,
    MessageStartEventSubscriptionRecordValue,
    MessageSubscriptionRecordValue,
    ProcessInstanceRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from processors.engine.state import EngineState
from processors.engine.state.message_state import MessageStartedInstance
from processors.engine.state.message_subscription_state import RESEND_AFTER_MS

_Applier = Callable[[Record[Any], EngineState], None]


def _resend_at(record: Record[Any]) -> int:
    return record.timestamp + RESEND_AFTER_MS


# -- messages
def _published(record: Record[MessageRecordValue], state: EngineState) -> None:
    state.messages.put(record.key, record.value)


def _expired(record: Record[MessageRecordValue], state: EngineState) -> None:
    state.messages.remove(record.key)


# -- the message partition's half of a subscription
def _ms_created(record: Record[MessageSubscriptionRecordValue], state: EngineState) -> None:
    state.message_subscriptions.put(record.key, record.value)


def _ms_correlating(record: Record[MessageSubscriptionRecordValue], state: EngineState) -> None:
    value = record.value
    state.message_subscriptions.put(record.key, value, resend_at=_resend_at(record))
    state.messages.put_correlated(value.message_key, value.bpmn_process_id)


def _ms_correlated(record: Record[MessageSubscriptionRecordValue], state: EngineState) -> None:
    subscription = state.message_subscriptions.get(record.key)
    if subscription is None:
        return
    if subscription.value.interrupting:
        state.message_subscriptions.remove(record.key)
    else:
        # Waits for the next message; the variables of this one are not needed any more.
        value = dataclasses.replace(subscription.value, variables={})
        state.message_subscriptions.put(record.key, value)


def _ms_rejected(record: Record[MessageSubscriptionRecordValue], state: EngineState) -> None:
    value = record.value
    state.messages.remove_correlated(value.message_key, value.bpmn_process_id)
    subscription = state.message_subscriptions.for_element(
        value.element_instance_key, value.message_name
    )
    if subscription is not None and subscription.value.message_key == value.message_key:
        # The instance cannot take the message: stop re-sending it.
        reset = dataclasses.replace(subscription.value, variables={})
        state.message_subscriptions.put(subscription.key, reset)


def _ms_deleted(record: Record[MessageSubscriptionRecordValue], state: EngineState) -> None:
    state.message_subscriptions.remove(record.key)


# -- the process instance partition's half
def _pms_pending(status: PMS) -> _Applier:
    def apply(record: Record[ProcessMessageSubscriptionRecordValue], state: EngineState) -> None:
        state.message_subscriptions.put_process_subscription(
            record.key, record.value, status, resend_at=_resend_at(record)
        )

    return apply


def _pms_created(record: Record[ProcessMessageSubscriptionRecordValue], state: EngineState) -> None:
    subscription = state.message_subscriptions.process_subscription(record.key)
    if subscription is not None:
        state.message_subscriptions.put_process_subscription(
            record.key, subscription.value, PMS.CREATED
        )


def _pms_correlated(
    record: Record[ProcessMessageSubscriptionRecordValue], state: EngineState
) -> None:
    subscription = state.message_subscriptions.process_subscription(record.key)
    if subscription is None:
        return
    if subscription.value.interrupting:
        state.message_subscriptions.remove_process_subscription(record.key)
        return
    # Remember the last message taken: a resent CORRELATE of it is recognised as a duplicate.
    value = dataclasses.replace(subscription.value, message_key=record.value.message_key)
    state.message_subscriptions.put_process_subscription(record.key, value, PMS.CREATED)


def _pms_deleted(record: Record[ProcessMessageSubscriptionRecordValue], state: EngineState) -> None:
    state.message_subscriptions.remove_process_subscription(record.key)


# -- message start events
def _start_created(
    record: Record[MessageStartEventSubscriptionRecordValue], state: EngineState
) -> None:
    state.message_subscriptions.put_start_subscription(record.key, record.value)


def _start_deleted(
    record: Record[MessageStartEventSubscriptionRecordValue], state: EngineState
) -> None:
    state.message_subscriptions.remove_start_subscription(record.key)


def _start_correlated(
    record: Record[MessageStartEventSubscriptionRecordValue], state: EngineState
) -> None:
    value = record.value
    state.messages.put_correlated(value.message_key, value.bpmn_process_id)
    state.messages.put_started(
        value.process_instance_key,
        MessageStartedInstance(
            value.bpmn_process_id, value.start_event_id, value.correlation_key, value.tenant_id
        ),
    )


def release_message_start(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
    """A process instance ended: a message with its correlation key may start the next one.
    Applied after the element applier of ELEMENT_COMPLETED / ELEMENT_TERMINATED."""
    if record.value.bpmn_element_type is BpmnElementType.PROCESS:
        state.messages.remove_started(record.key)


MESSAGE_APPLIERS: dict[tuple[ValueType, Intent], _Applier] = {
    (ValueType.MESSAGE, MessageIntent.PUBLISHED): _published,
    (ValueType.MESSAGE, MessageIntent.EXPIRED): _expired,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.CREATED): _ms_created,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.CORRELATING): _ms_correlating,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.CORRELATED): _ms_correlated,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.REJECTED): _ms_rejected,
    (ValueType.MESSAGE_SUBSCRIPTION, MS.DELETED): _ms_deleted,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.CREATING): _pms_pending(PMS.CREATING),
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.CREATED): _pms_created,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.CORRELATED): _pms_correlated,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.DELETING): _pms_pending(PMS.DELETING),
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, PMS.DELETED): _pms_deleted,
    (ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, MessageStartEventSubscriptionIntent.CREATED): (
        _start_created
    ),
    (ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, MessageStartEventSubscriptionIntent.DELETED): (
        _start_deleted
    ),
    (
        ValueType.MESSAGE_START_EVENT_SUBSCRIPTION,
        MessageStartEventSubscriptionIntent.CORRELATED,
    ): _start_correlated,
}

FOLLOWING_APPLIERS: dict[tuple[ValueType, Intent], _Applier] = {
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_COMPLETED): release_message_start,
    (ValueType.PROCESS_INSTANCE, PI.ELEMENT_TERMINATED): release_message_start,
}
"""Appliers that run after the main applier of an event another domain owns."""
