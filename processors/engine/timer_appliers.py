"""Appliers of timer events: CREATED stores the timer (and indexes it by due date, element
instance and, for start events, process definition); TRIGGERED and CANCELED remove it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import TimerIntent
from broker.protocol.values import TimerRecordValue
from processors.engine.state import EngineState


def _created(record: Record[TimerRecordValue], state: EngineState) -> None:
    state.timers.put(record.key, record.value)


def _removed(record: Record[TimerRecordValue], state: EngineState) -> None:
    state.timers.remove(record.key)


TIMER_APPLIERS: dict[tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]] = {
    (ValueType.TIMER, TimerIntent.CREATED): _created,
    (ValueType.TIMER, TimerIntent.TRIGGERED): _removed,
    (ValueType.TIMER, TimerIntent.CANCELED): _removed,
}
