"""Who may do what on `honeyflow web --users FILE`: the middleware in front of every handler.

Every request but the login page and the static files needs a live session: without one a
page answers 303 to /login and anything else 401, before any handler runs. The session's
roles must allow the route (403 otherwise), and every request that changes something (any
method but GET and HEAD) must carry the session's CSRF token, as the form field
`csrf_token` or the `X-CSRF-Token` header, compared in constant time (403 otherwise). So a
refused request does nothing at all: the handler never sees it.

What each role may (clients.web.users_file): viewer the read-only pages; operator those and
every action but the task list's; task-user the task list and its tasks' actions (which
tasks are its own is the task routes' business). A route nobody listed needs an operator.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from aiohttp import web

from clients.web.html import url
from clients.web.session_context import CSRF_FIELD, CSRF_HEADER, CURRENT_SESSION
from clients.web.sessions import LoginThrottle, Session, Sessions
from clients.web.users_file import Users
from clients.web.web_state import HttpError

SESSION_COOKIE: Final = "honeyflow_session"
LOGIN_COOKIE: Final = "honeyflow_login"
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class Need(Enum):
    PUBLIC = "public"
    SESSION = "session"
    READ = "read"
    TASKS = "tasks"
    TASK_ACTION = "task-action"
    OPERATE = "operate"


ALLOWED_ROLES: Final[dict[Need, frozenset[str]]] = {
    Need.SESSION: frozenset({"viewer", "operator", "task-user"}),
    Need.READ: frozenset({"viewer", "operator"}),
    Need.TASKS: frozenset({"viewer", "operator", "task-user"}),
    Need.TASK_ACTION: frozenset({"task-user"}),
    Need.OPERATE: frozenset({"operator"}),
}
_WHAT: Final[dict[Need, str]] = {
    Need.SESSION: "use the console",
    Need.READ: "read this page",
    Need.TASKS: "read the task list",
    Need.TASK_ACTION: "claim, unclaim or complete tasks",
    Need.OPERATE: "take console actions",
}
_TASK_PAGES = re.compile(r"/tasks(/\d+)?|/api/tasks/\d+/form")
_TASK_ACTIONS = re.compile(r"/tasks/\d+/(claim|unclaim|complete)")


def need_of(method: str, path: str) -> Need:
    """What a request needs; anything not named here needs an operator (or a reader)."""
    if path == "/login" or path.startswith(("/static/", "/vendor/")):
        return Need.PUBLIC
    if path == "/logout":
        return Need.SESSION
    if method in _SAFE_METHODS:
        return Need.TASKS if _TASK_PAGES.fullmatch(path) else Need.READ
    if _TASK_ACTIONS.fullmatch(path):
        return Need.TASK_ACTION
    return Need.OPERATE


@dataclass
class Access:
    """The users, their live sessions and the brake on failed logins."""

    users: Users
    sessions: Sessions = field(default_factory=Sessions)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    def session_of(self, request: web.Request) -> Session | None:
        return self.sessions.get(request.cookies.get(SESSION_COOKIE))


ACCESS = web.AppKey("honeyflow_web_access", Access)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def check_access(request: web.Request, handler: Handler) -> web.StreamResponse:
    access = request.app.get(ACCESS)
    if access is None:
        return await handler(request)
    need = need_of(request.method, request.path)
    if need is Need.PUBLIC:
        return await handler(request)
    session = access.session_of(request)
    if session is None:
        if request.method in _SAFE_METHODS and not request.path.startswith("/api/"):
            raise web.HTTPSeeOther(url("/login", next=request.path_qs))
        raise HttpError(
            401,
            "Log in first: this needs a session, and this request has none (or it expired)."
            " Nothing was done.",
            "Open /login in the browser.",
        )
    if not session.user.roles & ALLOWED_ROLES[need]:
        raise HttpError(
            403,
            f"{session.user.name} ({session.user.role_text}) may not {_WHAT[need]}."
            + ("" if request.method in _SAFE_METHODS else " Nothing was done."),
        )
    if request.method not in _SAFE_METHODS:
        await check_csrf(request, session)
    token = CURRENT_SESSION.set(session)
    try:
        response = await handler(request)
    finally:
        CURRENT_SESSION.reset(token)
    response.headers["Cache-Control"] = "no-store"
    return response


async def check_csrf(request: web.Request, session: Session) -> None:
    """403 unless the request carries this session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sent = str((await request.post()).get(CSRF_FIELD) or "")
    if not sent or not hmac.compare_digest(
        sent.encode(errors="replace"), session.csrf_token.encode()
    ):
        raise HttpError(
            403,
            "Refused: the request's security token (CSRF) is missing or is not this session's."
            " Nothing was done.",
            "If you sent it from this console, reload the page and try again; a page of"
            " another site cannot act for you here.",
        )
