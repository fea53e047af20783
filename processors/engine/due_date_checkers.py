"""Due date checkers: what the passing of time calls for, as commands (job deadlines → JOB
TIME_OUT, back-offs → JOB RECUR_AFTER_BACKOFF, due timers → TIMER TRIGGER, unacknowledged
distributions → the distributed command again). They read state and never change it; the
runtime calls them with its clock and processes the commands like any other."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from broker.protocol import Record
from broker.protocol.intents import JobIntent, TimerIntent
from broker.protocol.values import TimerRecordValue
from processors.engine.bpmn.event_trigger_behavior import can_trigger
from processors.engine.distribution_behavior import distribution_due_commands
from processors.engine.message_due_checks import message_due_commands
from processors.engine.state import StateReaders


def due_commands(state: StateReaders, now_ms: int) -> list[Record[Any]]:
    commands: list[Record[Any]] = []
    for job_key in state.jobs.deadlines_until(now_ms):
        job = state.jobs.get(job_key)
        if job is not None:
            commands.append(Record.command(JobIntent.TIME_OUT, job.value, key=job_key))
    for job_key in state.jobs.backoffs_until(now_ms):
        job = state.jobs.get(job_key)
        if job is not None:
            commands.append(Record.command(JobIntent.RECUR_AFTER_BACKOFF, job.value, key=job_key))
    commands.extend(message_due_commands(state, now_ms))
    commands.extend(distribution_due_commands(state, now_ms))
    commands.extend(timer_triggers(state, state.timers.due_until(now_ms), now_ms))
    return commands


def timer_triggers(
    state: StateReaders, timer_keys: Iterable[int], now_ms: int
) -> list[Record[Any]]:
    """TIMER TRIGGER for each of these timers that is due at `now_ms` and that its event scope
    can take now."""
    commands: list[Record[Any]] = []
    for timer_key in timer_keys:
        timer = state.timers.get(timer_key)
        if timer is not None and timer.due_date <= now_ms and _can_fire(state, timer):
            commands.append(Record.command(TimerIntent.TRIGGER, timer, key=timer_key))
    return commands


def _can_fire(state: StateReaders, timer: TimerRecordValue) -> bool:
    """A timer whose event scope cannot take it now (left, or interrupted by an event
    subprocess) would only be rejected, again and again; it waits until its element leaves,
    which cancels it."""
    if timer.element_instance_key == -1:
        return True
    instance = state.elements.get(timer.element_instance_key)
    if instance is None:
        return False
    process = state.processes.executable(timer.process_definition_key)
    node = process.elements.get(timer.target_element_id)
    return node is not None and can_trigger(state, instance, node)
