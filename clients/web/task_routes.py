"""The task pages' handlers: the task list and one task from the query store, the form
script's JSON, the acting user's name, and the actions (claim, unclaim, complete) sent
through the same client as incident resolution. A refused action shows the task again
with the engine's rejection; a done one goes back with a notice (the page shows the change
once the exporter has read the engine's new records)."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

from aiohttp import web

from clients.client import Client
from clients.errors import HoneyflowError
from clients.web.html import Markup, url
from clients.web.page_frame import notice_box
from clients.web.session_context import current_session
from clients.web.task_access import offered_to, open_tasks_of, reads_every_task, visible_to
from clients.web.task_forms import FormError
from clients.web.task_pages import PAGE_SIZE, TaskView, task_page, tasks_page
from clients.web.task_source import has_form
from clients.web.tenant_scope import granted_tenants, may_see
from clients.web.users_file import WebUser
from clients.web.web_state import (
    USER_COOKIE,
    USER_COOKIE_AGE,
    HttpError,
    WebState,
    acting_user,
    before_param,
    check_same_origin,
    check_user,
    html_response,
    json_response,
    local_path,
    state_of,
)
from processors.exporter.errors import NotFoundError
from processors.exporter.queries import Queries

log = logging.getLogger(__name__)
MAX_VARIABLES_TEXT = 1024 * 1024
_DONE = {
    "claimed": "Task {key} claimed by {user}.",
    "unclaimed": "Task {key} unclaimed.",
    "completed": "Task {key} completed.",
}


def add_task_routes(r: web.UrlDispatcher, *, named_users: bool = True) -> None:
    """`named_users`: the acting user is a name the browser gives (`POST /user`); without
    it the acting user is the logged-in one."""
    r.add_get("/tasks", _tasks)
    r.add_get(r"/tasks/{key:\d+}", _task)
    r.add_post(r"/tasks/{key:\d+}/claim", _claim)
    r.add_post(r"/tasks/{key:\d+}/unclaim", _unclaim)
    r.add_post(r"/tasks/{key:\d+}/complete", _complete)
    r.add_get(r"/api/tasks/{key:\d+}/form", _form)
    if named_users:
        r.add_post("/user", _set_user)


def _form_problem(task: TaskView) -> str:
    """What the page says of a form it cannot draw: a custom form of another application."""
    if task.external_form_reference and not has_form(task):
        return (
            f"The task's form {task.external_form_reference!r} is not a Camunda form: set the"
            " variables below."
        )
    return ""


# -- pages ---------------------------------------------------------------------------------


async def _tasks(request: web.Request) -> web.Response:
    assignee = request.query.get("assignee", "").strip()
    group = request.query.get("group", "").strip()
    before = before_param(request)
    state = state_of(request)
    user = _logged_in()
    tenants = granted_tenants()
    next_before = None
    if user is not None and not reads_every_task(user):
        tasks, after = await state.query(
            lambda q: open_tasks_of(
                state.tasks,
                q,
                user,
                assignee=assignee,
                group=group,
                before=before,
                tenants=tenants,
            )
        )
        if after is not None:
            next_before = f"{after[0]}:{after[1]}"
    else:
        tasks = await state.query(
            lambda q: state.tasks.open_tasks(
                q, assignee=assignee, group=group, limit=PAGE_SIZE, before=before, tenants=tenants
            )
        )
        if len(tasks) == PAGE_SIZE:
            last = tasks[-1]
            next_before = f"{last.creation_time}:{last.user_task_key}"
    notice = None
    done = request.query.get("completed", "")
    if done.isdigit():
        notice = notice_box(
            _DONE["completed"].format(key=done)
            + " The list shows it once the exporter has read the engine's new records."
        )
    return html_response(
        tasks_page(
            tasks,
            assignee=assignee,
            group=group,
            acting_user=acting_user(request),
            next_before=next_before,
            paged=before is not None,
            notice=notice,
        )
    )


def _logged_in() -> WebUser | None:
    session = current_session()
    return None if session is None else session.user


async def _visible_task(state: WebState, key: int) -> TaskView:
    """The task, or 404 for a task the logged-in user may not see (as a missing one): not
    offered to a task user, or of another tenant."""
    tenants = granted_tenants()
    task = await state.query(lambda q: _task_of_tenants(state, q, key, tenants))
    if not visible_to(task, _logged_in()):
        raise NotFoundError(f"no user task with key {key}")
    return task


def _task_of_tenants(
    state: WebState, q: Queries, key: int, tenants: frozenset[str] | None
) -> TaskView:
    task = state.tasks.task(q, key)
    if not may_see(q.tenant_of(process_instance_key=task.process_instance_key), tenants):
        raise NotFoundError(f"no user task with key {key}")
    return task


async def _render_task(
    request: web.Request, key: int, notice: Markup | None, status: int = 200
) -> web.Response:
    state = state_of(request)
    task = await _visible_task(state, key)
    body = task_page(
        task,
        acting_user=acting_user(request),
        has_form=has_form(task),
        form_problem=_form_problem(task),
        notice=notice,
    )
    return html_response(body, status)


async def _task(request: web.Request) -> web.Response:
    key = int(request.match_info["key"])
    notice = None
    done = request.query.get("done", "")
    if done in _DONE:
        notice = notice_box(
            _DONE[done].format(key=key, user=acting_user(request))
            + " The page shows it once the exporter has read the engine's new records."
        )
    return await _render_task(request, key, notice)


async def _form(request: web.Request) -> web.Response:
    key = int(request.match_info["key"])
    state = state_of(request)

    user = _logged_in()
    tenants = granted_tenants()

    def read(q: Queries) -> dict[str, Any]:
        task = _task_of_tenants(state, q, key, tenants)
        if not visible_to(task, user):
            raise NotFoundError(f"no user task with key {key}")
        schema = state.tasks.form(q, task)
        variables = state.tasks.variables(q, task)
        return {"userTaskKey": str(key), "schema": schema, "variables": variables}

    try:
        return json_response(await state.query(read))
    except FormError as e:
        return web.json_response({"error": str(e)}, status=404)


# -- actions -------------------------------------------------------------------------------


async def _act(request: web.Request, key: int, what: str, act: Any, done: str) -> web.Response:
    """Send `act(client)`; on success go back to the task (or the list), on a refusal show
    the task with the engine's answer."""
    state: WebState = state_of(request)
    try:
        await state.engine(act)
    except HoneyflowError as e:
        log.warning("%s of task %s failed: %s", what, key, e)
        message = f"The engine did not {what} task {key}: {e}"
        return await _render_task(request, key, notice_box(message, "error"), 409)
    if done == "completed":
        raise web.HTTPSeeOther(url("/tasks", completed=key))
    raise web.HTTPSeeOther(url("/tasks", key, done=done))


def _user_for_action(request: web.Request) -> str:
    user = acting_user(request)
    if not user:
        raise HttpError(400, "Say who you are first: the task pages have a 'You are' field.")
    return user


async def _check_offered(request: web.Request, key: int, what: str) -> None:
    """With a login, a task user acts only on its own tasks (403, nothing sent)."""
    user = _logged_in()
    if user is None:
        return
    state = state_of(request)
    task = await _visible_task(state, key)
    if what in ("claim", "complete") and not offered_to(task, user):
        raise HttpError(
            403,
            f"Task {key} is not offered to {user.name}: it is assigned to someone else or"
            " offered to other users or groups. Nothing was done.",
        )
    if what == "unclaim" and task.assignee != user.name:
        raise HttpError(
            403, f"Task {key} is not assigned to {user.name}: nothing to unclaim. Nothing was done."
        )


async def _claim(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    user = _user_for_action(request)
    await _check_offered(request, key, "claim")

    def act(client: Client) -> None:
        client.claim_user_task(key, user)

    return await _act(request, key, "claim", act, "claimed")


async def _unclaim(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    _user_for_action(request)
    await _check_offered(request, key, "unclaim")

    def act(client: Client) -> None:
        client.unassign_user_task(key)

    return await _act(request, key, "unclaim", act, "unclaimed")


def parse_variables(text: str) -> dict[str, Any]:
    """The complete form's `variables`: a JSON object, as the editor checks before sending."""
    if len(text) > MAX_VARIABLES_TEXT:
        raise HttpError(
            413, f"variables are {len(text)} characters, more than {MAX_VARIABLES_TEXT}"
        )
    try:
        value = json.loads(text or "{}")
    except ValueError as e:
        raise HttpError(400, f"variables are not JSON: {e}") from None
    if not isinstance(value, dict):
        raise HttpError(400, f"variables must be a JSON object, not {type(value).__name__}")
    return value


async def _complete(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    user = _user_for_action(request)
    await _check_offered(request, key, "complete")
    form = await request.post()
    variables = parse_variables(str(form.get("variables", "")))
    state = state_of(request)
    task = await _visible_task(state, key)
    if task.state == "CREATED" and task.assignee and task.assignee != user:
        # As Tasklist: a task is completed by whoever holds it (the engine does not check,
        # having no users yet). A task the store shows unassigned may just have been
        # claimed: the store follows the engine a moment later.
        message = f"Task {key} is not assigned to you ({user}): claim it first."
        return await _render_task(request, key, notice_box(message, "error"), 409)

    def act(client: Client) -> None:
        client.complete_user_task(key, variables)

    return await _act(request, key, "complete", act, "completed")


async def _set_user(request: web.Request) -> web.Response:
    check_same_origin(request)
    form = await request.post()
    try:
        name = check_user(str(form.get("user", "")))
    except ValueError as e:
        raise HttpError(400, str(e)) from None
    response = web.HTTPSeeOther(local_path(str(form.get("next", "")), "/tasks"))
    if name:
        response.set_cookie(
            USER_COOKIE,
            quote(name, safe=""),
            max_age=USER_COOKIE_AGE,
            path="/",
            httponly=True,
            samesite="Strict",
        )
    else:
        response.del_cookie(USER_COOKIE, path="/")
    raise response
