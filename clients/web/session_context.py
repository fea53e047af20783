"""The logged-in session of the request being answered, for the markup that needs it: every
POST form carries the session's CSRF token (`csrf_field`), every page names the user and
offers to log out. The access middleware (clients.web.access) sets it for the handler;
without `--users` there is none and the markup is as before."""

from __future__ import annotations

from contextvars import ContextVar

from clients.web.html import Markup, html
from clients.web.sessions import Session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CURRENT_SESSION: ContextVar[Session | None] = ContextVar("honeyflow_web_session", default=None)


def current_session() -> Session | None:
    return CURRENT_SESSION.get()


def may_operate() -> bool:
    """Whether the page offers the console's actions: without a login, or to an operator."""
    session = CURRENT_SESSION.get()
    return session is None or "operator" in session.user.roles


def may_work_on_tasks() -> bool:
    """Whether the task pages offer claim and complete: without a login, or to a task user."""
    session = CURRENT_SESSION.get()
    return session is None or "task-user" in session.user.roles


def read_only_hint() -> Markup:
    """What a logged-in user's page says where actions would be."""
    session = CURRENT_SESSION.get()
    role = session.user.role_text if session is not None else ""
    return html(
        '<p class="hint read-only">{t}</p>',
        t=f"No actions for your role ({role}): an operator's login takes them.",
    )


def csrf_field() -> Markup:
    """The hidden field every POST form of a logged-in page carries (empty without login)."""
    session = CURRENT_SESSION.get()
    if session is None:
        return Markup("")
    return html(
        '<input type="hidden" name="{name}" value="{token}">',
        name=CSRF_FIELD,
        token=session.csrf_token,
    )


def csrf_meta() -> Markup:
    """The token for scripts: a POST from script sends it as the X-CSRF-Token header."""
    session = CURRENT_SESSION.get()
    if session is None:
        return Markup("")
    return html('<meta name="csrf-token" content="{token}">', token=session.csrf_token)
