"""Timers: evaluating timeDate / timeDuration / timeCycle (static or FEEL) into a due date and
repetitions, the timer subscription kind of catch events, and the timers of timer start events
that deployment schedules. Time is the command's time; nothing here reads a clock.

A cycle fires `repetitions` times (`R5/...`), or forever (`R/...`, repetitions -1); each
trigger schedules the next occurrence one interval after the last due date (or after now if
that passed already). Cron cycles fire at the next matching second, forever.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from bpmn import ExecutableProcess, FlowNode
from bpmn.cron import next_cron_time
from bpmn.model_parts import TimerDefinition
from bpmn.timers import (
    CronSchedule,
    IsoDuration,
    RepeatingInterval,
    TimerValueError,
    feel_timer_value,
)
from broker.protocol.intents import TimerIntent
from broker.protocol.values import DEFAULT_TENANT_ID, BpmnEventType, TimerRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate
from processors.engine.context import ProcessingContext

INFINITE = -1


@dataclass(frozen=True, slots=True)
class TimerSchedule:
    due_date: int
    repetitions: int
    cycle: RepeatingInterval | CronSchedule | None = None


def add_duration(epoch_ms: int, duration: IsoDuration) -> int:
    """`epoch_ms` plus a duration: years, months and days as calendar units (in UTC)."""
    moment = dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC)
    months = moment.month - 1 + duration.months + 12 * duration.years
    year = moment.year + months // 12
    month = months % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    moment = moment.replace(year=year, month=month, day=day) + dt.timedelta(
        days=duration.days, hours=duration.hours, minutes=duration.minutes
    )
    millis = int(duration.seconds * 1000)
    return int(moment.timestamp() * 1000) + millis


def _epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def evaluate_timer(
    timer: TimerDefinition, variables: Mapping[str, Any], now_ms: int
) -> TimerSchedule:
    """The first due date and the repetitions of a timer; raises ExpressionFailure (an
    EXTRACT_VALUE_ERROR incident for the element that waits), also when the due date is out
    of reach (a duration of 10,000 years, a date in the year 999999999)."""
    try:
        return _evaluate_timer(timer, variables, now_ms)
    except (OverflowError, ValueError, OSError):
        raise ExpressionFailure(_out_of_range(timer.kind.value, timer.expression.source)) from None


def _out_of_range(kind: str, source: str) -> str:
    return (
        f"Expected the {kind} '{source}' to give a due date a timer can wait for (a date"
        " before the year 10000), but it does not"
    )


def _evaluate_timer(
    timer: TimerDefinition, variables: Mapping[str, Any], now_ms: int
) -> TimerSchedule:
    value: object = timer.static_value
    source = timer.expression.feel_text
    if value is None:
        result = evaluate(timer.expression, variables, now_ms)
        try:
            value = feel_timer_value(timer.kind.value, result, source)
        except TimerValueError as error:
            raise ExpressionFailure(str(error)) from None
    if isinstance(value, dt.datetime):
        return TimerSchedule(_epoch_ms(value), 1)
    if isinstance(value, IsoDuration):
        return TimerSchedule(add_duration(now_ms, value), 1)
    if isinstance(value, RepeatingInterval):
        repetitions = INFINITE if value.repetitions is None else value.repetitions
        if value.start is not None:
            due = max(_epoch_ms(value.start), now_ms)
        else:
            due = add_duration(now_ms, value.interval)
        return TimerSchedule(due, repetitions, value)
    if isinstance(value, CronSchedule):
        return TimerSchedule(_cron_next(value, now_ms, source), INFINITE, value)
    raise ExpressionFailure(f"Expected a timer value for '{source}', but got {value!r}")


def _cron_next(cron: CronSchedule, after_ms: int, source: str) -> int:
    try:
        return next_cron_time(cron.fields, after_ms)
    except ValueError as error:
        raise ExpressionFailure(
            f"Cron expression '{source}' cannot be scheduled: {error}"
        ) from None


def next_occurrence(schedule: TimerSchedule, last_due: int, now_ms: int) -> int:
    """The due date after `last_due` of a cycle (re-anchored on now if it already passed);
    raises ExpressionFailure when it is out of reach."""
    try:
        return _next_occurrence(schedule, last_due, now_ms)
    except (OverflowError, ValueError, OSError):
        source = "" if schedule.cycle is None else _cycle_text(schedule.cycle)
        raise ExpressionFailure(_out_of_range("timeCycle", source)) from None


def _cycle_text(cycle: RepeatingInterval | CronSchedule) -> str:
    return cycle.expression if isinstance(cycle, CronSchedule) else repr(cycle)


def _next_occurrence(schedule: TimerSchedule, last_due: int, now_ms: int) -> int:
    cycle = schedule.cycle
    if isinstance(cycle, CronSchedule):
        return _cron_next(cycle, max(last_due, now_ms), cycle.expression)
    assert isinstance(cycle, RepeatingInterval)
    due = add_duration(last_due, cycle.interval)
    return due if due > now_ms else add_duration(now_ms, cycle.interval)


def write_created(
    ctx: ProcessingContext,
    *,
    element_instance_key: int,
    process_instance_key: int,
    process_definition_key: int,
    element_id: str,
    due_date: int,
    repetitions: int,
    tenant_id: str,
) -> None:
    timer_key = ctx.next_key()
    if due_date <= ctx.now_ms:
        ctx.timers_due_now.append(timer_key)  # triggered in this batch (see loop_guard)
    ctx.event(
        timer_key,
        TimerIntent.CREATED,
        TimerRecordValue(
            element_instance_key=element_instance_key,
            process_instance_key=process_instance_key,
            process_definition_key=process_definition_key,
            due_date=due_date,
            target_element_id=element_id,
            repetitions=repetitions,
            tenant_id=tenant_id,
        ),
    )


class TimerSubscriptions:
    """The subscription kind of timer catch events: TIMER CREATED when the event scope
    activates, TIMER CANCELED when it leaves."""

    def evaluate(self, call: ElementCall, node: FlowNode) -> TimerSchedule:
        if node.timer is None:
            raise ExpressionFailure(f"Expected timer event '{node.id}' to have a timer")
        variables = call.ctx.state.variables.visible(call.key)
        return evaluate_timer(node.timer, variables, call.ctx.now_ms)

    def open(self, call: ElementCall, node: FlowNode, evaluated: Any) -> None:
        write_created(
            call.ctx,
            element_instance_key=call.key,
            process_instance_key=call.value.process_instance_key,
            process_definition_key=call.value.process_definition_key,
            element_id=node.id,
            due_date=evaluated.due_date,
            repetitions=evaluated.repetitions,
            tenant_id=call.value.tenant_id,
        )

    def close(self, call: ElementCall, element_ids: Collection[str]) -> None:
        timers = call.ctx.state.timers
        for timer_key in list(timers.of_element(call.key)):
            timer = timers.get(timer_key)
            if timer is not None and timer.target_element_id in element_ids:
                call.ctx.event(timer_key, TimerIntent.CANCELED, timer)


def start_timer_schedules(
    process: ExecutableProcess, now_ms: int
) -> list[tuple[str, TimerSchedule]]:
    """(start event id, schedule) of every timer start event of a process (expressions see
    no variables); raises ExpressionFailure."""
    found = []
    for element_id in process.start_event_ids:
        node = process.elements[element_id]
        if node.event_type is BpmnEventType.TIMER and node.timer is not None:
            found.append((element_id, evaluate_timer(node.timer, {}, now_ms)))
    return found


def replace_start_timers(
    ctx: ProcessingContext,
    previous_definition_key: int | None,
    process_definition_key: int,
    schedules: list[tuple[str, TimerSchedule]],
) -> None:
    """A new version of a process: cancel the start timers of the version it replaces, create
    its own."""
    timers = ctx.state.timers
    deployed = ctx.state.processes.by_key(process_definition_key)
    tenant = DEFAULT_TENANT_ID if deployed is None else deployed.tenant_id
    if previous_definition_key is not None:
        for timer_key in list(timers.start_timers(previous_definition_key)):
            timer = timers.get(timer_key)
            if timer is not None:
                ctx.event(timer_key, TimerIntent.CANCELED, timer)
    for element_id, schedule in schedules:
        write_created(
            ctx,
            element_instance_key=-1,
            process_instance_key=-1,
            process_definition_key=process_definition_key,
            element_id=element_id,
            due_date=schedule.due_date,
            repetitions=schedule.repetitions,
            tenant_id=tenant,
        )
