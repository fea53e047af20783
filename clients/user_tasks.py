"""Client calls on Camunda user tasks (`zeebe:userTask`): assign, claim, unassign, update and
complete, mixed into `Client` and `AsyncClient`. Each returns the task as the engine's
answering event shows it (`UserTask`); a refused command raises a `RejectedError` (NOT_FOUND
for an unknown key, INVALID_STATE for a task that is not open or that another user holds).
Zeebe offers these through its REST API only; Honeyflow sends them as USER_TASK commands to
the task's partition, on memory:// and kafka:// alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from broker.protocol import Record
from broker.protocol.intents import UserTaskIntent
from broker.protocol.values import UserTaskRecordValue
from clients import commands as c
from clients.arguments import Arguments


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final[Any] = _Unchanged()
"""`update_user_task`'s default: the attribute stays as it is."""


@dataclass(frozen=True, slots=True)
class UserTask:
    key: int
    assignee: str
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    due_date: str
    follow_up_date: str
    priority: int
    form_key: int
    external_form_reference: str
    element_id: str
    element_instance_key: int
    process_instance_key: int
    bpmn_process_id: str
    process_definition_key: int
    action: str = ""
    changed_attributes: tuple[str, ...] = ()
    custom_headers: dict[str, str] = field(default_factory=dict)


def user_task_result(answer: Record[Any]) -> UserTask:
    v: UserTaskRecordValue = c.check(answer).value
    return UserTask(
        key=answer.key,
        assignee=v.assignee,
        candidate_groups=tuple(v.candidate_groups_list),
        candidate_users=tuple(v.candidate_users_list),
        due_date=v.due_date,
        follow_up_date=v.follow_up_date,
        priority=v.priority,
        form_key=v.form_key,
        external_form_reference=v.external_form_reference,
        element_id=v.element_id,
        element_instance_key=v.element_instance_key,
        process_instance_key=v.process_instance_key,
        bpmn_process_id=v.bpmn_process_id,
        process_definition_key=v.process_definition_key,
        action=v.action,
        changed_attributes=tuple(v.changed_attributes),
        custom_headers=dict(v.custom_headers),
    )


def user_task_command(intent: UserTaskIntent, key: int, **fields: Any) -> Record[Any]:
    return Record.command(intent, UserTaskRecordValue(user_task_key=key, **fields), key=key)


class _Caller(Protocol):
    def _call(
        self, command: Record[Any], partition: int, timeout: float | None = None
    ) -> Record[Any]: ...


def _optional_text(a: Arguments, name: str, value: object) -> str:
    return "" if value is None else a.text(name, value)


def _date(a: Arguments, name: str, value: object) -> str:
    """An ISO 8601 date-time with offset (checked by the engine); None or '' clears it."""
    return _optional_text(a, name, value)


def _priority(a: Arguments, value: object) -> int:
    priority = a.count("priority", value, minimum=0)
    if priority > 100:
        a.fail("priority", f"must be from 0 to 100, but was {priority}")
    return priority


class UserTaskCalls:
    """The user-task methods of `Client`."""

    def assign_user_task(
        self: _Caller, key: int, assignee: str, *, action: str | None = None
    ) -> UserTask:
        """Assign the task to `assignee` (whoever holds it now); an empty one unassigns."""
        a = Arguments("assign_user_task")
        key = a.key("key", key)
        command = user_task_command(
            UserTaskIntent.ASSIGN,
            key,
            assignee=a.text("assignee", assignee),
            action=_optional_text(a, "action", action),
        )
        return user_task_result(self._call(command, c.partition_of(key)))

    def claim_user_task(self: _Caller, key: int, assignee: str) -> UserTask:
        """Take the task for `assignee`; refused (INVALID_STATE) if another user holds it."""
        a = Arguments("claim_user_task")
        key = a.key("key", key)
        command = user_task_command(
            UserTaskIntent.CLAIM, key, assignee=a.text("assignee", assignee, required=True)
        )
        return user_task_result(self._call(command, c.partition_of(key)))

    def unassign_user_task(self: _Caller, key: int) -> UserTask:
        key = Arguments("unassign_user_task").key("key", key)
        command = user_task_command(UserTaskIntent.ASSIGN, key, assignee="", action="unassign")
        return user_task_result(self._call(command, c.partition_of(key)))

    def update_user_task(
        self: _Caller,
        key: int,
        *,
        due_date: str | None = UNCHANGED,
        follow_up_date: str | None = UNCHANGED,
        candidate_groups: Sequence[str] = UNCHANGED,
        candidate_users: Sequence[str] = UNCHANGED,
        priority: int = UNCHANGED,
        action: str | None = None,
    ) -> UserTask:
        """Change the given attributes (None or '' clears a date); the others stay."""
        a = Arguments("update_user_task")
        key = a.key("key", key)
        fields: dict[str, Any] = {}
        changed: list[str] = []
        if candidate_groups is not UNCHANGED:
            fields["candidate_groups_list"] = a.names("candidate_groups", candidate_groups)
            changed.append("candidateGroupsList")
        if candidate_users is not UNCHANGED:
            fields["candidate_users_list"] = a.names("candidate_users", candidate_users)
            changed.append("candidateUsersList")
        if due_date is not UNCHANGED:
            fields["due_date"] = _date(a, "due_date", due_date)
            changed.append("dueDate")
        if follow_up_date is not UNCHANGED:
            fields["follow_up_date"] = _date(a, "follow_up_date", follow_up_date)
            changed.append("followUpDate")
        if priority is not UNCHANGED:
            fields["priority"] = _priority(a, priority)
            changed.append("priority")
        command = user_task_command(
            UserTaskIntent.UPDATE,
            key,
            changed_attributes=tuple(changed),
            action=_optional_text(a, "action", action),
            **fields,
        )
        return user_task_result(self._call(command, c.partition_of(key)))

    def complete_user_task(
        self: _Caller,
        key: int,
        variables: dict[str, Any] | None = None,
        *,
        action: str | None = None,
    ) -> UserTask:
        """Complete the task; `variables` are merged into its scope (then its output mappings
        apply) and the process goes on."""
        a = Arguments("complete_user_task")
        key = a.key("key", key)
        command = user_task_command(
            UserTaskIntent.COMPLETE,
            key,
            variables=a.variables("variables", variables),
            action=_optional_text(a, "action", action),
        )
        return user_task_result(self._call(command, c.partition_of(key)))


class _Runner(Protocol):
    async def _run(self, method: str, *args: Any, **kwargs: Any) -> Any: ...


class AsyncUserTaskCalls:
    """The user-task methods of `AsyncClient`: those of `UserTaskCalls`, awaitable."""

    async def assign_user_task(
        self: _Runner, key: int, assignee: str, *, action: str | None = None
    ) -> UserTask:
        result: UserTask = await self._run("assign_user_task", key, assignee, action=action)
        return result

    async def claim_user_task(self: _Runner, key: int, assignee: str) -> UserTask:
        result: UserTask = await self._run("claim_user_task", key, assignee)
        return result

    async def unassign_user_task(self: _Runner, key: int) -> UserTask:
        result: UserTask = await self._run("unassign_user_task", key)
        return result

    async def update_user_task(self: _Runner, key: int, **changes: Any) -> UserTask:
        result: UserTask = await self._run("update_user_task", key, **changes)
        return result

    async def complete_user_task(
        self: _Runner,
        key: int,
        variables: dict[str, Any] | None = None,
        *,
        action: str | None = None,
    ) -> UserTask:
        result: UserTask = await self._run("complete_user_task", key, variables, action=action)
        return result
