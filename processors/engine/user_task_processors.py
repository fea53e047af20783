"""Commands on Camunda user tasks: ASSIGN (an empty assignee unassigns), CLAIM, UPDATE and
COMPLETE, as Zeebe 8.8 processes them without task listeners: each writes its transient event
(ASSIGNING, CLAIMING, UPDATING, COMPLETING) and its final one (ASSIGNED, UPDATED, COMPLETED)
and answers with the final one. A completed task's variables go to its element, which then
completes (COMPLETE_ELEMENT): they are merged into its scope and its output mappings apply.

Rejections as Zeebe's: NOT_FOUND for an unknown key, INVALID_STATE for a task that is not
CREATED or (CLAIM) that someone else holds, INVALID_ARGUMENT for a bad UPDATE value."""

from __future__ import annotations

import dataclasses
from typing import Any

from bpmn.timers import TimerValueError, parse_date_time
from broker.protocol import Record, RejectionType
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.intents import UserTaskIntent
from broker.protocol.values import UserTaskRecordValue
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import call_for
from processors.engine.context import ProcessingContext
from processors.engine.state import StoredUserTask
from processors.engine.state.user_task_lifecycle import UserTaskLifecycle

MAX_PRIORITY = 100
UPDATABLE = ("candidateGroupsList", "candidateUsersList", "dueDate", "followUpDate", "priority")
"""The attributes UPDATE may change (its `changedAttributes`), by their JSON names."""
_ATTRIBUTES = {
    "candidateGroupsList": "candidate_groups_list",
    "candidateUsersList": "candidate_users_list",
    "dueDate": "due_date",
    "followUpDate": "follow_up_date",
    "priority": "priority",
}


def _task(ctx: ProcessingContext, command: Record[Any], verb: str) -> StoredUserTask | None:
    task = ctx.state.user_tasks.get(command.key)
    if task is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to {verb} user task with key '{command.key}', but no such user task was"
            " found",
        )
        return None
    if task.state is not UserTaskLifecycle.CREATED:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to {verb} user task with key '{command.key}', but it is in state"
            f" '{task.state.value}'",
        )
        return None
    return task


def assign_user_task(command: Record[UserTaskRecordValue], ctx: ProcessingContext) -> None:
    task = _task(ctx, command, "assign")
    if task is None:
        return
    assignee = command.value.assignee
    action = command.value.action or ("assign" if assignee else "unassign")
    _assign(ctx, task, assignee, action, UserTaskIntent.ASSIGNING)


def claim_user_task(command: Record[UserTaskRecordValue], ctx: ProcessingContext) -> None:
    task = _task(ctx, command, "claim")
    if task is None:
        return
    assignee = command.value.assignee
    if not assignee:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to claim user task with key '{command.key}' for a user, but no assignee"
            " was given",
        )
        return
    holder = task.value.assignee
    if holder and holder != assignee:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to claim user task with key '{command.key}', but it has already been"
            f" assigned to '{holder}'",
        )
        return
    _assign(ctx, task, assignee, command.value.action or "claim", UserTaskIntent.CLAIMING)


def _assign(
    ctx: ProcessingContext,
    task: StoredUserTask,
    assignee: str,
    action: str,
    transient: UserTaskIntent,
) -> None:
    value = dataclasses.replace(
        task.value, assignee=assignee, action=action, changed_attributes=("assignee",)
    )
    ctx.event(task.key, transient, value)
    ctx.respond(ctx.event(task.key, UserTaskIntent.ASSIGNED, value))


def update_user_task(command: Record[UserTaskRecordValue], ctx: ProcessingContext) -> None:
    task = _task(ctx, command, "update")
    if task is None:
        return
    given = command.value
    unknown = [name for name in given.changed_attributes if name not in _ATTRIBUTES]
    if unknown:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to update user task with key '{command.key}' with changed attributes"
            f" among {', '.join(UPDATABLE)}, but got '{unknown[0]}'",
        )
        return
    problem = _update_problem(given)
    if problem is not None:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to update user task with key '{command.key}', but {problem}",
        )
        return
    changed = tuple(name for name in UPDATABLE if name in given.changed_attributes)
    changes = {_ATTRIBUTES[name]: getattr(given, _ATTRIBUTES[name]) for name in changed}
    value = dataclasses.replace(
        task.value, **changes, changed_attributes=changed, action=given.action or "update"
    )
    ctx.event(task.key, UserTaskIntent.UPDATING, value)
    ctx.respond(ctx.event(task.key, UserTaskIntent.UPDATED, value))


def _update_problem(given: UserTaskRecordValue) -> str | None:
    if "priority" in given.changed_attributes and not 0 <= given.priority <= MAX_PRIORITY:
        return f"the priority {given.priority} is not from 0 to {MAX_PRIORITY}"
    for name in ("dueDate", "followUpDate"):
        text = getattr(given, _ATTRIBUTES[name])
        if name in given.changed_attributes and text:
            try:
                parse_date_time(text)
            except TimerValueError:
                return (
                    f"its {name} '{text}' is not an ISO 8601 date and time with an offset"
                    " (empty clears it)"
                )
    return None


def complete_user_task(command: Record[UserTaskRecordValue], ctx: ProcessingContext) -> None:
    task = _task(ctx, command, "complete")
    if task is None:
        return
    value = dataclasses.replace(
        task.value,
        variables=dict(command.value.variables),
        action=command.value.action or "complete",
        changed_attributes=(),
    )
    ctx.event(task.key, UserTaskIntent.COMPLETING, value)
    ctx.respond(ctx.event(task.key, UserTaskIntent.COMPLETED, value))
    instance = ctx.state.elements.get(value.element_instance_key)
    if instance is not None and instance.state is PI.ELEMENT_ACTIVATED:
        lifecycle.request_completion(call_for(ctx, instance))


USER_TASK_PROCESSORS = {
    UserTaskIntent.ASSIGN: assign_user_task,
    UserTaskIntent.CLAIM: claim_user_task,
    UserTaskIntent.UPDATE: update_user_task,
    UserTaskIntent.COMPLETE: complete_user_task,
}
