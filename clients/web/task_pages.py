"""The task list (`/tasks`) and one task (`/tasks/<key>`): open Camunda user tasks from the
query store, filtered by candidate group and assignee, with claim / unclaim / complete
forms that POST to `/tasks/<key>/<action>`. The task's form is drawn in the browser by
`static/honeyflow-tasks.js` with form-js; a task without a form gets a JSON editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from clients.display import timestamp
from clients.web.html import Markup, html, join, url
from clients.web.page_frame import link, page, pager, state_badge, table
from clients.web.session_context import csrf_field, may_work_on_tasks

PAGE_SIZE = 50


class TaskView(Protocol):
    """What the pages show of a user task (the store's view of it)."""

    @property
    def user_task_key(self) -> int: ...
    @property
    def element_id(self) -> str: ...
    @property
    def element_instance_key(self) -> int: ...
    @property
    def process_instance_key(self) -> int: ...
    @property
    def process_definition_key(self) -> int: ...
    @property
    def bpmn_process_id(self) -> str: ...
    @property
    def process_definition_version(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def assignee(self) -> str: ...
    @property
    def candidate_groups(self) -> Sequence[str]: ...
    @property
    def candidate_users(self) -> Sequence[str]: ...
    @property
    def due_date(self) -> str: ...
    @property
    def follow_up_date(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def form_key(self) -> int: ...
    @property
    def external_form_reference(self) -> str: ...
    @property
    def creation_time(self) -> int: ...


def _names(values: Sequence[str]) -> str:
    return ", ".join(values) or "-"


def _facts(rows: Sequence[tuple[str, object]]) -> Markup:
    body = join(html("<tr><th>{k}</th><td>{v}</td></tr>", k=k, v=v) for k, v in rows)
    return html('<table class="task-facts"><tbody>{body}</tbody></table>', body=body)


def _filter_form(assignee: str, group: str, acting_user: str) -> Markup:
    mine = (
        link(url("/tasks", assignee=acting_user), "Assigned to me", "my-tasks")
        if acting_user
        else Markup("")
    )
    return html(
        '<form method="get" action="/tasks" class="task-filter">'
        '<label>Candidate group <input name="group" value="{group}" size="14"></label>'
        '<label>Assignee <input name="assignee" value="{assignee}" size="14"></label>'
        '<button type="submit">Filter</button> <a href="/tasks">All open tasks</a>'
        "{mine}</form>",
        group=group,
        assignee=assignee,
        mine=mine,
    )


def tasks_page(
    tasks: Sequence[TaskView],
    *,
    assignee: str,
    group: str,
    acting_user: str,
    next_before: str | None,
    paged: bool,
    notice: Markup | None = None,
) -> str:
    """Open tasks, newest first; `next_before` is the `before` of the next page's link."""
    rows = [
        (
            link(url("/tasks", t.user_task_key), t.user_task_key, "task-link"),
            html("<code>{e}</code>", e=t.element_id),
            link(url("/processes", t.bpmn_process_id), t.bpmn_process_id),
            link(url("/instances", t.process_instance_key), t.process_instance_key),
            t.assignee or "-",
            _names(t.candidate_groups),
            t.due_date or "-",
            t.priority,
            timestamp(t.creation_time),
        )
        for t in tasks
    ]
    filters = {"assignee": assignee, "group": group}
    body = html(
        "<h1>Tasks</h1>{filter}{table}{pager}",
        filter=_filter_form(assignee, group, acting_user),
        table=table(
            (
                "Task",
                "Element",
                "Process",
                "Instance",
                "Assignee",
                "Candidate groups",
                "Due",
                "Priority",
                "Created",
            ),
            rows,
            css="tasks",
            empty="No open tasks.",
        ),
        pager=pager(
            url("/tasks", **filters, before=next_before) if next_before else None,
            url("/tasks", **filters) if paged else None,
        ),
    )
    return page(
        "Tasks",
        body,
        notice=notice,
        acting_user=acting_user,
        status_path=url("/tasks", **filters),
    )


def _action(task: TaskView, action: str, label: str, *, disabled: bool = False) -> Markup:
    return html(
        '<form method="post" action="{action}" class="task-action task-{name}">{csrf}'
        '<button type="submit"{disabled}>{label}</button></form>',
        csrf=csrf_field(),
        action=url("/tasks", task.user_task_key, action),
        name=action,
        label=label,
        disabled=Markup(" disabled") if disabled else Markup(""),
    )


def _assignment(task: TaskView, acting_user: str) -> Markup:
    if task.state != "CREATED":
        return Markup("")
    if not may_work_on_tasks():
        return html(
            '<p class="hint">{t}</p>', t="Your role reads tasks; a task user works on them."
        )
    if not acting_user:
        return html('<p class="hint">{t}</p>', t="Say who you are (top right) to claim tasks.")
    if task.assignee == acting_user:
        return _action(task, "unclaim", "Unclaim")
    if task.assignee:
        # The engine refuses to let a second user claim a held task: the button stays, so
        # the page shows its rejection as it is.
        return _action(task, "claim", f"Claim from {task.assignee}")
    return _action(task, "claim", "Claim")


def _completion(task: TaskView, acting_user: str, has_form: bool) -> Markup:
    if task.state != "CREATED" or not may_work_on_tasks():
        return Markup("")
    mine = bool(acting_user) and task.assignee == acting_user
    editor = (
        Markup("")
        if has_form
        else html(
            '<label for="variables">Variables to set (a JSON object)</label>'
            '<textarea id="variables" name="variables" rows="8" spellcheck="false">'
            "{{}}</textarea>"
            '<p class="variables-error error-message" role="alert"></p>'
        )
    )
    hidden = html('<input type="hidden" name="variables" value="{{}}">') if has_form else Markup("")
    return html(
        '<h2>Complete</h2><form method="post" action="{action}" class="task-complete"'
        ' data-form="{has_form}">{csrf}{editor}{hidden}'
        '<button type="submit"{disabled}>Complete</button>{hint}</form>',
        csrf=csrf_field(),
        action=url("/tasks", task.user_task_key, "complete"),
        has_form="true" if has_form else "false",
        editor=editor,
        hidden=hidden,
        disabled=Markup("") if mine else Markup(" disabled"),
        hint=Markup("")
        if mine
        else html('<span class="hint">{t}</span>', t=" Claim the task to complete it."),
    )


def task_page(
    task: TaskView,
    *,
    acting_user: str,
    has_form: bool,
    form_problem: str = "",
    notice: Markup | None = None,
) -> str:
    """One task: what it is, who holds it, its form (drawn by the task script from
    `/api/tasks/<key>/form`) or the variables editor, and the actions."""
    key = task.user_task_key
    facts = _facts(
        [
            ("Element", html("<code>{e}</code>", e=task.element_id)),
            (
                "Process",
                link(
                    url(
                        "/processes", task.bpmn_process_id, version=task.process_definition_version
                    ),
                    f"{task.bpmn_process_id} v{task.process_definition_version}",
                ),
            ),
            (
                "Instance",
                link(url("/instances", task.process_instance_key), task.process_instance_key),
            ),
            ("State", state_badge(task.state)),
            ("Assignee", task.assignee or "-"),
            ("Candidate groups", _names(task.candidate_groups)),
            ("Candidate users", _names(task.candidate_users)),
            ("Due", task.due_date or "-"),
            ("Follow up", task.follow_up_date or "-"),
            ("Priority", task.priority),
            ("Created", timestamp(task.creation_time)),
        ]
    )
    form = Markup("")
    if has_form:
        form = html(
            '<h2>Form</h2><div id="task-form" class="task-form" data-form="{href}">'
            '<p class="form-status">Loading the form…</p></div>',
            href=url("/api/tasks", key, "form"),
        )
    elif form_problem:
        form = html('<p class="error-message">{p}</p>', p=form_problem)
    body = html(
        '<h1>Task {key} <span class="version">{element}</span></h1>{facts}{assignment}'
        "{form}{completion}",
        key=key,
        element=task.element_id,
        facts=facts,
        assignment=_assignment(task, acting_user),
        form=form,
        completion=_completion(task, acting_user, has_form),
    )
    return page(
        f"Task {key}",
        body,
        notice=notice,
        acting_user=acting_user,
        task_form=True,
        status_path=url("/tasks", key),
    )


def user_task_table(tasks: Sequence[TaskView]) -> Markup:
    """The instance page's list of its user tasks."""
    return table(
        ("Task", "Element", "State", "Assignee", "Candidate groups"),
        [
            (
                link(url("/tasks", t.user_task_key), t.user_task_key),
                html("<code>{e}</code>", e=t.element_id),
                state_badge(t.state),
                t.assignee or "-",
                _names(t.candidate_groups),
            )
            for t in tasks
        ],
        css="user-tasks",
        empty="No user tasks.",
    )
