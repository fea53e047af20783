"""USER_TASK and FORM records → the `user_tasks`, `user_task_candidates` and `forms` tables.

Every USER_TASK event carries the whole task as it is after the event, so a batch keeps the
last row of each task it saw and writes it once (an upsert); the task's candidate groups and
users are rewritten with it, one row per name, so that "tasks of group G" is an index range.
Transient events (ASSIGNING, UPDATING, COMPLETING, CANCELING) leave the task CREATED until
its final one. FORM CREATED is written on every partition with the same key: kept once.
"""

from __future__ import annotations

import json
from typing import Any

from broker.protocol import Record
from broker.protocol.intents import FormIntent, UserTaskIntent
from broker.protocol.values import FormRecordValue, UserTaskRecordValue
from processors.exporter.store import Transaction

TABLES = (
    """CREATE TABLE IF NOT EXISTS user_tasks (
        user_task_key BIGINT PRIMARY KEY,
        process_instance_key BIGINT NOT NULL,
        process_definition_key BIGINT NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        process_definition_version INTEGER NOT NULL,
        element_id TEXT NOT NULL,
        element_instance_key BIGINT NOT NULL,
        state TEXT NOT NULL,
        assignee TEXT NOT NULL,
        candidate_groups TEXT NOT NULL,
        candidate_users TEXT NOT NULL,
        due_date TEXT NOT NULL,
        follow_up_date TEXT NOT NULL,
        priority INTEGER NOT NULL,
        form_key BIGINT NOT NULL,
        external_form_reference TEXT NOT NULL,
        creation_time BIGINT NOT NULL,
        completion_time BIGINT,
        tenant_id TEXT NOT NULL DEFAULT '<default>')""",
    """CREATE TABLE IF NOT EXISTS user_task_candidates (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        user_task_key BIGINT NOT NULL,
        PRIMARY KEY (kind, name, user_task_key))""",
    """CREATE TABLE IF NOT EXISTS forms (
        form_key BIGINT PRIMARY KEY,
        form_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        version_tag TEXT NOT NULL,
        resource_name TEXT NOT NULL,
        deployment_key BIGINT NOT NULL,
        form_schema TEXT NOT NULL,
        deployed_at BIGINT NOT NULL)""",
)

INDEXES = (
    # tasks [--state] [--assignee]: newest first
    "CREATE INDEX IF NOT EXISTS ut_state_created ON user_tasks (state, creation_time)",
    "CREATE INDEX IF NOT EXISTS ut_assignee ON user_tasks (assignee, state, creation_time)",
    # an instance's tasks (the instance page)
    "CREATE INDEX IF NOT EXISTS ut_instance ON user_tasks (process_instance_key)",
    # rewriting one task's candidates
    "CREATE INDEX IF NOT EXISTS utc_task ON user_task_candidates (user_task_key)",
    # forms by id and version
    "CREATE INDEX IF NOT EXISTS form_id_version ON forms (form_id, version)",
)

_COLUMNS = (
    "user_task_key, process_instance_key, process_definition_key, bpmn_process_id,"
    " process_definition_version, element_id, element_instance_key, state, assignee,"
    " candidate_groups, candidate_users, due_date, follow_up_date, priority, form_key,"
    " external_form_reference, creation_time, completion_time, tenant_id"
)
_UPDATED = (
    "state, assignee, candidate_groups, candidate_users, due_date, follow_up_date, priority,"
    " completion_time"
)
_UPSERT_TASK = (
    f"INSERT INTO user_tasks ({_COLUMNS}) VALUES ({', '.join('?' * 19)})"  # noqa: S608
    " ON CONFLICT (user_task_key) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _UPDATED.split(","))
)
_DELETE_CANDIDATES = "DELETE FROM user_task_candidates WHERE user_task_key = ?"
_INSERT_CANDIDATE = (
    "INSERT INTO user_task_candidates (kind, name, user_task_key) VALUES (?, ?, ?)"
    " ON CONFLICT (kind, name, user_task_key) DO NOTHING"
)
_INSERT_FORM = (
    "INSERT INTO forms (form_key, form_id, version, version_tag, resource_name, deployment_key,"
    " form_schema, deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (form_key) DO NOTHING"
)

_FINAL_STATES: dict[Any, str] = {
    UserTaskIntent.COMPLETED: "COMPLETED",
    UserTaskIntent.CANCELED: "CANCELED",
}
_OPEN_EVENTS = frozenset(
    {
        UserTaskIntent.CREATED,
        UserTaskIntent.ASSIGNED,
        UserTaskIntent.UPDATED,
        UserTaskIntent.MIGRATED,
    }
)
"""The events after which a task is (still) open with the values they carry; the transient
ones (CREATING, ASSIGNING, CLAIMING, UPDATING, COMPLETING, CANCELING) are followed by one."""


def _names(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


class UserTaskProjection:
    """The user-task part of one `ProjectionBatch`."""

    def __init__(self) -> None:
        self._tasks: dict[int, tuple[Any, ...]] = {}
        self._candidates: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._forms: dict[int, tuple[Any, ...]] = {}

    def user_task(self, record: Record[Any]) -> None:
        v: UserTaskRecordValue = record.value
        intent = record.intent
        final = _FINAL_STATES.get(intent)
        if final is None and intent not in _OPEN_EVENTS:
            return
        self._tasks[record.key] = (
            record.key,
            v.process_instance_key,
            v.process_definition_key,
            v.bpmn_process_id,
            v.process_definition_version,
            v.element_id,
            v.element_instance_key,
            final or "CREATED",
            v.assignee,
            _names(v.candidate_groups_list),
            _names(v.candidate_users_list),
            v.due_date,
            v.follow_up_date,
            v.priority,
            v.form_key,
            v.external_form_reference,
            v.creation_timestamp if v.creation_timestamp >= 0 else record.timestamp,
            None if final is None else record.timestamp,
            v.tenant_id,
        )
        self._candidates[record.key] = (
            tuple(v.candidate_groups_list),
            tuple(v.candidate_users_list),
        )

    def form(self, record: Record[Any]) -> None:
        if record.intent is not FormIntent.CREATED:
            return
        v: FormRecordValue = record.value
        self._forms[record.key] = (
            record.key,
            v.form_id,
            v.version,
            v.version_tag,
            v.resource_name,
            v.deployment_key,
            v.resource.decode("utf-8", errors="replace"),
            record.timestamp,
        )

    def write(self, tx: Transaction) -> None:
        tx.execute_many(_INSERT_FORM, list(self._forms.values()))
        tx.execute_many(_UPSERT_TASK, list(self._tasks.values()))
        tx.execute_many(_DELETE_CANDIDATES, [(key,) for key in self._candidates])
        tx.execute_many(
            _INSERT_CANDIDATE,
            [
                (kind, name, key)
                for key, (groups, users) in self._candidates.items()
                for kind, names in (("group", groups), ("user", users))
                for name in names
            ],
        )
