"""TIMER TRIGGER (written by the due date checker when a timer is due): TIMER TRIGGERED, then
the catch element is triggered — or, for a timer start event, a new process instance starts.
A cycle that has repetitions left is scheduled again (TIMER CREATED)."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record, RejectionType
from broker.protocol.intents import TimerIntent
from broker.protocol.values import TimerRecordValue
from processors.engine.bpmn import event_trigger_behavior as triggers
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.timer_behavior import (
    INFINITE,
    evaluate_timer,
    next_occurrence,
    write_created,
)
from processors.engine.context import ProcessingContext


def trigger_timer(command: Record[TimerRecordValue], ctx: ProcessingContext) -> None:
    timer = ctx.state.timers.get(command.key)
    if timer is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to trigger timer with key '{command.key}', but no such timer was found",
        )
        return
    if ctx.state.processes.by_key(timer.process_definition_key) is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to find a process definition with key '{timer.process_definition_key}',"
            " but no such definition was found",
        )
        return
    if timer.due_date > ctx.now_ms:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to trigger timer with key '{command.key}', but its due date"
            f" '{timer.due_date}' has not passed",
        )
        return
    process = ctx.state.processes.executable(timer.process_definition_key)
    node = process.elements[timer.target_element_id]
    if timer.element_instance_key == -1:
        instance_key = ctx.next_key()
        ctx.event(
            command.key,
            TimerIntent.TRIGGERED,
            _with(timer, process_instance_key=instance_key),
        )
        triggers.trigger_start_event(ctx, timer.process_definition_key, instance_key, node.id, {})
        variables: dict[str, Any] = {}
    else:
        scope = ctx.state.elements.get(timer.element_instance_key)
        if scope is None or not triggers.can_trigger(ctx.state, scope, node):
            ctx.reject(
                RejectionType.INVALID_STATE,
                f"Expected to trigger a timer with key '{command.key}', but the timer is not"
                " active anymore",
            )
            return
        variables = ctx.state.variables.visible(scope.key)
        ctx.event(command.key, TimerIntent.TRIGGERED, timer)
        triggers.trigger_event(ctx, scope, node, {})
    if timer.repetitions == INFINITE or timer.repetitions > 1:
        if timer.element_instance_key != -1:
            scope = ctx.state.elements.get(timer.element_instance_key)
            if scope is None or not scope.is_active:
                return
        assert node.timer is not None
        try:
            schedule = evaluate_timer(node.timer, variables, ctx.now_ms)
        except ExpressionFailure:
            # The cycle's expression no longer evaluates (its variables changed): it ends here.
            # Zeebe fails the command instead, which would fire the timer again and again.
            return
        try:
            due_date = next_occurrence(schedule, timer.due_date, ctx.now_ms)
        except ExpressionFailure:
            return  # the next occurrence is beyond any date: the cycle ends here
        write_created(
            ctx,
            element_instance_key=timer.element_instance_key,
            process_instance_key=timer.process_instance_key,
            process_definition_key=timer.process_definition_key,
            element_id=node.id,
            due_date=due_date,
            repetitions=INFINITE if timer.repetitions == INFINITE else timer.repetitions - 1,
            tenant_id=timer.tenant_id,
        )


def _with(timer: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(timer, **changes)
