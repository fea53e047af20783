"""The login page, logging in and out (`honeyflow web --users FILE`).

The login form is guarded against cross-site posting (login CSRF) by a double-submit
token: GET /login sets a random `honeyflow_login` cookie (HttpOnly, SameSite=Strict) and
puts the same value in the form; POST /login refuses a form whose token is not the
cookie's. A failed login is answered after the throttle's delay and counts against the
name and the client address (clients.web.sessions.LoginThrottle). A good one starts a new
session and sets its cookie: HttpOnly, SameSite=Strict, and Secure when served over TLS.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import secrets

from aiohttp import web

from clients.web.access import ACCESS, LOGIN_COOKIE, SESSION_COOKIE, Access
from clients.web.html import Markup, html
from clients.web.page_frame import notice_box, page
from clients.web.web_state import HttpError, check_same_origin, html_response, local_path

log = logging.getLogger(__name__)
MAX_NAME_LENGTH = 256


def add_login_routes(r: web.UrlDispatcher) -> None:
    r.add_get("/login", _login_page)
    r.add_post("/login", _login)
    r.add_post("/logout", _logout)


def _access(request: web.Request) -> Access:
    access = request.app.get(ACCESS)
    if access is None:
        raise HttpError(404, "This console has no login: it was started without --users.")
    return access


def _home(access: Access, name: str) -> str:
    user = access.users.by_name.get(name)
    only_tasks = user is not None and not user.roles & {"viewer", "operator"}
    return "/tasks" if only_tasks else "/"


def login_page(token: str, back: str, name: str = "", notice: Markup | None = None) -> str:
    body = html(
        '<h1>Log in</h1><form method="post" action="/login" class="login" id="login-form">'
        '<input type="hidden" name="login_token" value="{token}">'
        '<input type="hidden" name="next" value="{back}">'
        '<label>User <input name="username" id="username" value="{name}" required'
        ' autocomplete="username" autofocus maxlength="{max}"></label>'
        '<label>Password <input type="password" name="password" id="password" required'
        ' autocomplete="current-password"></label>'
        '<button type="submit" id="login">Log in</button></form>',
        token=token,
        back=back,
        name=name,
        max=MAX_NAME_LENGTH,
    )
    return page("Log in", body, notice=notice, navigation=False)


def _with_login_cookie(
    request: web.Request, back: str, name: str = "", notice: Markup | None = None, status: int = 200
) -> web.Response:
    token = secrets.token_urlsafe(32)
    response = html_response(login_page(token, back, name, notice), status)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def _login_page(request: web.Request) -> web.Response:
    access = _access(request)
    back = local_path(request.query.get("next", ""), "")
    session = access.session_of(request)
    if session is not None:
        raise web.HTTPSeeOther(back or _home(access, session.user.name))
    notice = None
    if request.query.get("logged_out") == "1":
        notice = notice_box("You are logged out.")
    return _with_login_cookie(request, back, notice=notice)


async def _login(request: web.Request) -> web.Response:
    access = _access(request)
    check_same_origin(request)
    form = await request.post()
    name = str(form.get("username") or "").strip()[:MAX_NAME_LENGTH]
    password = str(form.get("password") or "")
    back = local_path(str(form.get("next") or ""), "")
    sent = str(form.get("login_token") or "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent.encode(errors="replace"), expected.encode()):
        notice = notice_box(
            "The login form expired or was not sent from this console's login page: log in again.",
            "error",
        )
        return _with_login_cookie(request, back, name, notice, 403)
    address = request.remote or ""
    wait = access.throttle.blocked_for(name, address)
    if wait > 0:
        log.warning("login of %r from %s refused: too many failures", name, address)
        notice = notice_box(
            f"Too many failed logins: try again in {math.ceil(wait / 60)} minute(s).", "error"
        )
        return _with_login_cookie(request, back, name, notice, 429)
    user = await asyncio.to_thread(access.users.authenticate, name, password)
    if user is None:
        access.throttle.failed(name, address)
        log.warning("failed login of %r from %s", name, address)
        await asyncio.sleep(access.throttle.failure_delay)
        notice = notice_box("Wrong user name or password.", "error")
        return _with_login_cookie(request, back, name, notice, 401)
    token, _session = access.sessions.start(user)
    log.info("%s logged in from %s", user.name, address)
    response = web.HTTPSeeOther(back or _home(access, user.name))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


async def _logout(request: web.Request) -> web.Response:
    access = _access(request)
    access.sessions.end(request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther("/login?logged_out=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response
