"""What the user-task queries return: a task as the task list shows it, a deployed form, and
one task with its form (`Queries.user_task`). Times are epoch ms of the engine's clock."""

from __future__ import annotations

from dataclasses import dataclass

from processors.exporter.views import _View

USER_TASK_STATES = ("CREATED", "COMPLETED", "CANCELED")
"""CREATED: open (assigned or not); COMPLETED; CANCELED (its element was terminated)."""


@dataclass(frozen=True, slots=True)
class UserTask(_View):
    user_task_key: int
    state: str
    """CREATED (open), COMPLETED or CANCELED."""
    assignee: str
    """Empty when unassigned."""
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    due_date: str
    """ISO 8601 date-time with offset; empty if none."""
    follow_up_date: str
    priority: int
    form_key: int
    """The deployed form's key (`Queries.form`), -1 if none."""
    form_id: str
    """The deployed form's id, empty if none."""
    external_form_reference: str
    element_id: str
    element_instance_key: int
    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    process_definition_version: int
    creation_time: int
    completion_time: int | None
    """When it was completed or canceled; None while open."""


@dataclass(frozen=True, slots=True)
class Form(_View):
    form_key: int
    form_id: str
    version: int
    version_tag: str
    resource_name: str
    deployment_key: int
    schema: str
    """The form's JSON (Camunda Forms / form-js schema), as deployed."""
    deployed_at: int


@dataclass(frozen=True, slots=True)
class UserTaskDetail(_View):
    task: UserTask
    form: Form | None
    """The linked deployed form, None for a task without one (or with an external one)."""
