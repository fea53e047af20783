"""Appliers of SIGNAL and SIGNAL_SUBSCRIPTION events: subscriptions are stored on CREATED and
removed on DELETED (they are never consumed: a signal triggers every one and the catch element
closes its own when it leaves); BROADCASTED remembers the signal's key so that a re-sent copy
from another partition is recognised."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import SignalIntent, SignalSubscriptionIntent
from broker.protocol.values import SignalRecordValue, SignalSubscriptionRecordValue
from processors.engine.state import EngineState


def _subscription_created(
    record: Record[SignalSubscriptionRecordValue], state: EngineState
) -> None:
    state.signal_subscriptions.put(record.key, record.value)


def _subscription_deleted(
    record: Record[SignalSubscriptionRecordValue], state: EngineState
) -> None:
    state.signal_subscriptions.remove(record.key)


def _broadcasted(record: Record[SignalRecordValue], state: EngineState) -> None:
    state.signal_subscriptions.mark_received(record.key, record.timestamp)


SIGNAL_APPLIERS: dict[tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]] = {
    (ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.CREATED): _subscription_created,
    (ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.DELETED): _subscription_deleted,
    (ValueType.SIGNAL, SignalIntent.BROADCASTED): _broadcasted,
}
