"""Tasks without an engine, for the task pages' handler and browser tests: a task source and
a client that keep the tasks in a dict and refuse a claim of a held task the way the engine
does (INVALID_STATE). The end-to-end tests run the real engine and store instead."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from clients.errors import InvalidStateError, NotFoundError
from clients.web.task_forms import FormError
from processors.exporter.errors import NotFoundError as StoreNotFoundError
from processors.exporter.queries import Queries

REVIEW_FORM = {
    "id": "review-form",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {"type": "textfield", "key": "customer", "label": "Customer"},
        {"type": "number", "key": "amount", "label": "Amount"},
        {"type": "checkbox", "key": "approved", "label": "Approved"},
        {"type": "textfield", "key": "comment", "label": "Comment", "validate": {"required": True}},
    ],
}


@dataclass(frozen=True)
class Task:
    user_task_key: int
    element_id: str = "review"
    element_instance_key: int = 2251799813685299
    process_instance_key: int = 2251799813685290
    process_definition_key: int = 2251799813685249
    bpmn_process_id: str = "invoice"
    process_definition_version: int = 1
    state: str = "CREATED"
    assignee: str = ""
    candidate_groups: tuple[str, ...] = ("accounting",)
    candidate_users: tuple[str, ...] = ()
    due_date: str = ""
    follow_up_date: str = ""
    priority: int = 50
    form_key: int = -1
    external_form_reference: str = ""
    creation_time: int = 1_700_000_000_000


@dataclass
class FakeTasks:
    tasks: dict[int, Task] = field(default_factory=dict)
    forms: dict[int, dict[str, Any]] = field(default_factory=dict)
    instance_variables: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(self, task: Task) -> Task:
        self.tasks[task.user_task_key] = task
        return task

    def open_tasks(
        self,
        q: Queries,
        *,
        assignee: str,
        group: str,
        limit: int,
        before: tuple[int, int] | None,
        tenants: Collection[str] | None = None,
    ) -> list[Task]:
        found = [
            t
            for t in self.tasks.values()
            if t.state == "CREATED"
            and (not assignee or t.assignee == assignee)
            and (not group or group in t.candidate_groups)
            and (before is None or (t.creation_time, t.user_task_key) < before)
        ]
        found.sort(key=lambda t: (t.creation_time, t.user_task_key), reverse=True)
        return found[:limit]

    def task(self, q: Queries, key: int) -> Task:
        if key not in self.tasks:
            raise StoreNotFoundError(f"no user task {key}")
        return self.tasks[key]

    def form(self, q: Queries, task: Any) -> dict[str, Any]:
        if task.form_key not in self.forms:
            raise FormError("The task has no Camunda form.")
        return self.forms[task.form_key]

    def variables(self, q: Queries, task: Any) -> dict[str, Any]:
        return dict(self.instance_variables.get(task.process_instance_key, {}))


class FakeTaskClient:
    """The page's client: acts on `FakeTasks` and records the calls."""

    def __init__(self, tasks: FakeTasks) -> None:
        self._tasks = tasks
        self.calls: list[tuple[Any, ...]] = []

    def _open(self, key: int) -> Task:
        task = self._tasks.tasks.get(key)
        if task is None or task.state != "CREATED":
            raise NotFoundError("NOT_FOUND", f"no open user task with key '{key}'", "claim")
        return task

    def claim_user_task(self, key: int, assignee: str) -> None:
        task = self._open(key)
        self.calls.append(("claim", key, assignee))
        if task.assignee and task.assignee != assignee:
            raise InvalidStateError(
                "INVALID_STATE",
                f"Expected to claim user task with key '{key}', but it has already been"
                f" assigned to '{task.assignee}'",
                "claim_user_task",
            )
        self._tasks.add(replace(task, assignee=assignee))

    def unassign_user_task(self, key: int) -> None:
        task = self._open(key)
        self.calls.append(("unassign", key))
        self._tasks.add(replace(task, assignee=""))

    def complete_user_task(self, key: int, variables: dict[str, Any] | None = None) -> None:
        task = self._open(key)
        self.calls.append(("complete", key, variables))
        self._tasks.add(replace(task, state="COMPLETED"))

    def close(self) -> None:
        pass
