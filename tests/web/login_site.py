"""A console with a login for the tests: the order and task workloads on the in-process
engine, a users file with an operator, a viewer and a task user, and a small HTTP client
that keeps cookies and does not follow redirects."""

from __future__ import annotations

import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clients.client import connect
from clients.web.access import Access
from clients.web.app import create_app
from clients.web.sessions import LoginThrottle
from clients.web.users_file import add_user, load
from processors.exporter.store import open_store
from tests.web.server_thread import serving
from tests.web.task_workload import TaskWorkload, run_task_workload
from tests.web.web_workload import ExportingClient, OrderWorkload, export, run_order_workload

PASSWORDS = {"olga": "olga-secret-1", "vera": "vera-secret-1", "carol": "carol-secret-1"}
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def write_users(path: Path) -> Path:
    add_user(path, "olga", PASSWORDS["olga"], ["operator"])
    add_user(path, "vera", PASSWORDS["vera"], ["viewer"])
    add_user(path, "carol", PASSWORDS["carol"], ["task-user"], groups=["sales"])
    return path


@dataclass
class LoginSite:
    base: str
    page_client: ExportingClient
    client: Any
    orders: OrderWorkload
    tasks: TaskWorkload
    store_path: Path
    access: Access


@contextmanager
def login_site(
    directory: Path, *, ssl_context: ssl.SSLContext | None = None, max_failures: int = 5
) -> Iterator[LoginSite]:
    store_path = directory / "visibility.db"
    with connect("memory://?partitions=2") as client:
        orders = run_order_workload(client)
        tasks = run_task_workload(client, tick=lambda: client.advance_time(1))
        export(client, store_path)
        page_client = ExportingClient(client, store_path)
        access = Access(
            load(write_users(directory / "users.json")),
            throttle=LoginThrottle(max_failures=max_failures, failure_delay=0),
        )
        app = create_app(
            open_store(str(store_path), create=False),
            client_factory=lambda: page_client,
            engine_url="memory://",
            access=access,
        )
        with serving(app, ssl_context) as base:
            yield LoginSite(base, page_client, client, orders, tasks, store_path, access)


@dataclass
class Answer:
    status: int
    body: str
    headers: Any

    @property
    def location(self) -> str:
        return str(self.headers.get("Location") or "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Browser:
    """One browser: its cookies, no redirects followed."""

    base: str
    ssl_context: ssl.SSLContext | None = None
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _open(self, request: urllib.request.Request) -> Answer:
        handlers: list[Any] = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect]
        if self.ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self.ssl_context))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=60) as response:
                return Answer(response.status, response.read().decode(), response.headers)
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.read().decode(), e.headers)

    def get(self, path: str) -> Answer:
        return self._open(urllib.request.Request(self.base + path))

    def post(
        self, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        data = urllib.parse.urlencode(form or {}).encode()
        return self._open(
            urllib.request.Request(
                self.base + path, data=data, headers=headers or {}, method="POST"
            )
        )

    def login(self, name: str, password: str | None = None, next_path: str = "") -> Answer:
        """Through the login page, as a browser does (its form token and cookie)."""
        page = self.get("/login")
        found = _LOGIN_TOKEN.search(page.body)
        assert found, page.body
        form = {
            "username": name,
            "password": PASSWORDS.get(name, "") if password is None else password,
            "login_token": found.group(1),
            "next": next_path,
        }
        return self.post("/login", form)

    def csrf_token(self, path: str = "/tasks") -> str:
        page = self.get(path)
        found = _META.search(page.body)
        assert found, (page.status, page.body[:500])
        return found.group(1)

    def cookie(self, name: str) -> http.cookiejar.Cookie | None:
        return next((c for c in self.jar if c.name == name), None)
