"""Where the task pages read user tasks, their forms and the variables a form starts from:
the query store (`StoreTasks`, the exporter's user task projection). One seam, so the
pages' tests can hand in tasks of their own."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from clients.web.task_forms import (
    FormError,
    embedded_form,
    embedded_form_id,
    parse_form,
    task_variables,
)
from clients.web.task_pages import TaskView
from processors.exporter.errors import NotFoundError
from processors.exporter.queries import Queries


class TaskSource(Protocol):
    def open_tasks(
        self,
        q: Queries,
        *,
        assignee: str,
        group: str,
        limit: int,
        before: tuple[int, int] | None,
        tenants: Collection[str] | None = None,
    ) -> list[TaskView]:
        """Open (CREATED) tasks, newest first, before (creation time, key) if given; of
        `tenants` only (None: every tenant)."""

    def task(self, q: Queries, key: int) -> TaskView:
        """One task, or the store's NotFoundError."""

    def form(self, q: Queries, task: TaskView) -> dict[str, Any]:
        """The task's form schema, or FormError saying why there is none."""

    def variables(self, q: Queries, task: TaskView) -> dict[str, Any]:
        """The variables the task sees, to prefill its form."""


def has_form(task: TaskView) -> bool:
    return task.form_key > 0 or embedded_form_id(task.external_form_reference) is not None


class StoreTasks:
    """User tasks as the exporter projects them into the query store."""

    def open_tasks(
        self,
        q: Queries,
        *,
        assignee: str,
        group: str,
        limit: int,
        before: tuple[int, int] | None,
        tenants: Collection[str] | None = None,
    ) -> list[TaskView]:
        return list(
            q.user_tasks(
                state="CREATED",
                assignee=assignee or None,
                candidate_group=group or None,
                limit=limit,
                before=before,
                tenants=tenants,
            )
        )

    def task(self, q: Queries, key: int) -> TaskView:
        return q.user_task(key).task

    def form(self, q: Queries, task: TaskView) -> dict[str, Any]:
        if task.form_key > 0:
            try:
                form = q.form(task.form_key)
            except NotFoundError:
                raise FormError(f"The task's form {task.form_key} is not in the store.") from None
            return parse_form(form.schema, f"form {form.form_id!r} ({form.resource_name})")
        form_id = embedded_form_id(task.external_form_reference)
        if form_id is None:
            raise FormError("The task has no Camunda form.")
        definition = q.definition(task.process_definition_key)
        return embedded_form(definition.bpmn_xml or "", task.bpmn_process_id, form_id)

    def variables(self, q: Queries, task: TaskView) -> dict[str, Any]:
        detail = q.instance(task.process_instance_key)
        return task_variables(detail.variables, detail.path, task.element_instance_key)
