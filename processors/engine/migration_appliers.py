"""Appliers of the events a process instance migration writes: each entity of the instance
keeps its key and its lifecycle and only learns its new process definition and element id
(ELEMENT_MIGRATED, JOB / INCIDENT / USER_TASK / TIMER / PROCESS_MESSAGE_SUBSCRIPTION /
SIGNAL_SUBSCRIPTION MIGRATED)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import (
    IncidentIntent,
    JobIntent,
    MessageSubscriptionIntent,
    ProcessInstanceIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
    UserTaskIntent,
)
from broker.protocol.values import (
    IncidentRecordValue,
    JobRecordValue,
    MessageSubscriptionRecordValue,
    ProcessInstanceRecordValue,
    ProcessMessageSubscriptionRecordValue,
    SignalSubscriptionRecordValue,
    TimerRecordValue,
    UserTaskRecordValue,
)
from processors.engine.state import EngineState


def _element_migrated(record: Record[ProcessInstanceRecordValue], state: EngineState) -> None:
    instance = state.elements.get(record.key)
    if instance is not None:
        state.elements.put(dataclasses.replace(instance, value=record.value))


def _job_migrated(record: Record[JobRecordValue], state: EngineState) -> None:
    job = state.jobs.get(record.key)
    if job is not None:
        state.jobs.put(record.key, job.status, record.value)


def _incident_migrated(record: Record[IncidentRecordValue], state: EngineState) -> None:
    state.incidents.put(record.key, record.value)


def _user_task_migrated(record: Record[UserTaskRecordValue], state: EngineState) -> None:
    task = state.user_tasks.get(record.key)
    if task is not None:
        state.user_tasks.put(record.key, task.state, record.value)


def _timer_migrated(record: Record[TimerRecordValue], state: EngineState) -> None:
    state.timers.put(record.key, record.value)


def _message_subscription_migrated(
    record: Record[ProcessMessageSubscriptionRecordValue], state: EngineState
) -> None:
    subscriptions = state.message_subscriptions
    stored = subscriptions.process_subscription(record.key)
    if stored is not None:
        subscriptions.put_process_subscription(
            record.key, record.value, stored.state, resend_at=stored.resend_at
        )


def _message_partition_half_migrated(
    record: Record[MessageSubscriptionRecordValue], state: EngineState
) -> None:
    subscriptions = state.message_subscriptions
    stored = subscriptions.get(record.key)
    if stored is not None:
        subscriptions.put(record.key, record.value, resend_at=stored.resend_at)


def _signal_subscription_migrated(
    record: Record[SignalSubscriptionRecordValue], state: EngineState
) -> None:
    state.signal_subscriptions.remove(record.key)
    state.signal_subscriptions.put(record.key, record.value)


MIGRATION_APPLIERS: dict[tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]] = {
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_MIGRATED): _element_migrated,
    (ValueType.JOB, JobIntent.MIGRATED): _job_migrated,
    (ValueType.INCIDENT, IncidentIntent.MIGRATED): _incident_migrated,
    (ValueType.USER_TASK, UserTaskIntent.MIGRATED): _user_task_migrated,
    (ValueType.TIMER, TimerIntent.MIGRATED): _timer_migrated,
    (
        ValueType.MESSAGE_SUBSCRIPTION,
        MessageSubscriptionIntent.MIGRATED,
    ): _message_partition_half_migrated,
    (
        ValueType.PROCESS_MESSAGE_SUBSCRIPTION,
        ProcessMessageSubscriptionIntent.MIGRATED,
    ): _message_subscription_migrated,
    (
        ValueType.SIGNAL_SUBSCRIPTION,
        SignalSubscriptionIntent.MIGRATED,
    ): _signal_subscription_migrated,
}
