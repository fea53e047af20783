"""Which user tasks a logged-in task user may see and act on, as Tasklist's user task
access restrictions: the tasks assigned to it, offered to it (a candidate user) or to one of
its groups (a candidate group), and the tasks offered to nobody in particular (no candidate
users or groups). A viewer or operator reads every task."""

from __future__ import annotations

from collections.abc import Collection

from clients.web.task_pages import PAGE_SIZE, TaskView
from clients.web.task_source import TaskSource
from clients.web.users_file import WebUser
from processors.exporter.queries import Queries

# A restricted list reads the store in batches until a page is full; past this many rows
# it shows what it found with a link to go on.
MAX_SCANNED = 20 * PAGE_SIZE


def reads_every_task(user: WebUser) -> bool:
    return bool(user.roles & {"viewer", "operator"})


def offered_to(task: TaskView, user: WebUser) -> bool:
    if task.assignee:
        return task.assignee == user.name
    if not task.candidate_users and not task.candidate_groups:
        return True
    return user.name in task.candidate_users or bool(set(user.groups) & set(task.candidate_groups))


def visible_to(task: TaskView, user: WebUser | None) -> bool:
    """Whether the task's page may be shown (None: no login, everything is)."""
    if user is None or reads_every_task(user):
        return True
    return offered_to(task, user) or (task.state != "CREATED" and task.assignee == user.name)


def open_tasks_of(
    source: TaskSource,
    q: Queries,
    user: WebUser,
    *,
    assignee: str,
    group: str,
    before: tuple[int, int] | None,
    tenants: Collection[str] | None = None,
) -> tuple[list[TaskView], tuple[int, int] | None]:
    """A page of the open tasks offered to `user`, and the `before` of the next page."""
    found: list[TaskView] = []
    scanned = 0
    while True:
        batch = source.open_tasks(
            q, assignee=assignee, group=group, limit=PAGE_SIZE, before=before, tenants=tenants
        )
        for task in batch:
            before = (task.creation_time, task.user_task_key)
            scanned += 1
            if offered_to(task, user):
                found.append(task)
                if len(found) == PAGE_SIZE:
                    return found, before
        if len(batch) < PAGE_SIZE:
            return found, None
        if scanned >= MAX_SCANNED:
            return found, before
