"""The task list's queries (mixed into `Queries`): user tasks by state, assignee, candidate
group or user and process instance, newest first and page by page; one task with its form;
a deployed form. SQL is joined only from constant fragments of this module; every value is a
parameter."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from processors.exporter.errors import NotFoundError
from processors.exporter.store import Row, Store
from processors.exporter.tenant_filter import tenant_condition
from processors.exporter.user_task_views import Form, UserTask, UserTaskDetail

_TASK_COLUMNS = (
    "t.user_task_key, t.state, t.assignee, t.candidate_groups, t.candidate_users, t.due_date,"
    " t.follow_up_date, t.priority, t.form_key, COALESCE(f.form_id, ''),"
    " t.external_form_reference, t.element_id, t.element_instance_key, t.process_instance_key,"
    " t.process_definition_key, t.bpmn_process_id, t.process_definition_version,"
    " t.creation_time, t.completion_time"
)
_FROM = " FROM user_tasks t LEFT JOIN forms f ON f.form_key = t.form_key"
_FORM_COLUMNS = (
    "form_key, form_id, version, version_tag, resource_name, deployment_key, form_schema,"
    " deployed_at"
)


class UserTaskQueries:
    store: Store

    def user_tasks(
        self,
        *,
        state: str | None = None,
        assignee: str | None = None,
        candidate_group: str | None = None,
        candidate_user: str | None = None,
        process_instance_key: int | None = None,
        limit: int = 50,
        before: tuple[int, int] | None = None,
        tenants: Collection[str] | None = None,
    ) -> list[UserTask]:
        """Newest first; every filter given must hold (`assignee=''`: unassigned tasks;
        `tenants`: tasks of these tenants only). `before` (creation time, key) of the last
        task of a page gives the next page."""
        where: list[str] = []
        params: list[Any] = []
        condition, names = tenant_condition("t.tenant_id", tenants)
        if condition:
            where.append(condition)
            params.extend(names)
        if state is not None:
            where.append("t.state = ?")
            params.append(state)
        if assignee is not None:
            where.append("t.assignee = ?")
            params.append(assignee)
        for kind, name in (("group", candidate_group), ("user", candidate_user)):
            if name is not None:
                where.append(
                    "t.user_task_key IN (SELECT c.user_task_key FROM user_task_candidates c"
                    " WHERE c.kind = ? AND c.name = ?)"
                )
                params.extend((kind, name))
        if process_instance_key is not None:
            where.append("t.process_instance_key = ?")
            params.append(process_instance_key)
        if before is not None:
            where.append("t.creation_time <= ? AND (t.creation_time < ? OR t.user_task_key < ?)")
            params.extend((before[0], before[0], before[1]))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.store.query(
            f"SELECT {_TASK_COLUMNS}{_FROM}{clause}"
            " ORDER BY t.creation_time DESC, t.user_task_key DESC LIMIT ?",
            (*params, limit),
        )
        return [_task(row) for row in rows]

    def user_task(self, user_task_key: int) -> UserTaskDetail:
        """One task with its deployed form (None if it has none)."""
        rows = self.store.query(
            f"SELECT {_TASK_COLUMNS}{_FROM} WHERE t.user_task_key = ?",
            (user_task_key,),
        )
        if not rows:
            raise NotFoundError(f"no user task with key {user_task_key}")
        task = _task(rows[0])
        form = None
        if task.form_key > 0:
            forms = self._forms("form_key = ?", (task.form_key,))
            form = forms[0] if forms else None
        return UserTaskDetail(task=task, form=form)

    def form(self, form_key: int) -> Form:
        forms = self._forms("form_key = ?", (form_key,))
        if not forms:
            raise NotFoundError(f"no form with key {form_key}")
        return forms[0]

    def latest_form(self, form_id: str) -> Form:
        """The latest version of a deployed form."""
        forms = self._forms("form_id = ? ORDER BY version DESC LIMIT 1", (form_id,))
        if not forms:
            raise NotFoundError(f"no form with id '{form_id}'")
        return forms[0]

    def _forms(self, condition: str, params: tuple[Any, ...]) -> list[Form]:
        rows = self.store.query(
            f"SELECT {_FORM_COLUMNS} FROM forms WHERE {condition}",  # noqa: S608
            params,
        )
        return [Form(*row) for row in rows]


def _task(row: Row) -> UserTask:
    values = list(row)
    values[3] = tuple(json.loads(values[3]))
    values[4] = tuple(json.loads(values[4]))
    return UserTask(*values)
