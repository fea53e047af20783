"""What the handlers of `honeyflow web` share: the store and engine threads, the HTTP error
the pages show, responses, the guards of the actions (same origin, local paths to go back
to) and who the acting user is on the task pages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from aiohttp import web

from clients.client import Client
from clients.kafka_requests import SPEAKING_FOR
from clients.web.assets import WebAssets
from clients.web.page_frame import MAX_USER_LENGTH
from clients.web.session_context import current_session
from clients.web.task_source import StoreTasks, TaskSource
from processors.exporter.queries import Queries
from processors.exporter.store import Store

T = TypeVar("T")
ClientFactory = Callable[[], Client]
USER_COOKIE = "honeyflow_user"
USER_COOKIE_AGE = 365 * 24 * 3600


class HttpError(Exception):
    def __init__(self, status: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


@dataclass
class WebState:
    """What the handlers share: the store and engine threads and the diagrams made so far."""

    store: Store
    client_factory: ClientFactory | None
    engine_url: str | None
    assets: WebAssets
    default_user: str = ""
    """The acting user of a browser that has not named one (`honeyflow web --user`)."""
    tasks: TaskSource = field(default_factory=StoreTasks)
    store_thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="honeyflow-web-store")
    )
    engine_thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="honeyflow-web-engine")
    )
    client: Client | None = None
    diagrams: dict[int, str] = field(default_factory=dict)
    topology: Callable[[], dict[str, Any]] | None = None
    """Reads the engine partitions and their owners (clients.cluster_topology) for the start
    page; None without a Kafka cluster to ask."""
    state_dir: Path | None = None
    """Where the batches' progress files are kept (`honeyflow web --state-dir`); None: a
    batch's progress lives only in its request."""
    running_batches: set[str] = field(default_factory=set)

    async def query(self, read: Callable[[Queries], T]) -> T:
        queries = Queries(self.store)
        return await asyncio.get_running_loop().run_in_executor(self.store_thread, read, queries)

    async def engine(self, act: Callable[[Client], T]) -> T:
        """`act(client)` on the engine thread. With a login, the commands it sends name the
        logged-in user as the end user the console speaks for (signed commands: the audit
        log shows `console (for olga)` when the console's principal is a gateway's)."""
        session = current_session()
        speaking_for = "" if session is None else session.user.name

        def run() -> T:
            speaking = SPEAKING_FOR.set(speaking_for)
            try:
                return connected()
            finally:
                SPEAKING_FOR.reset(speaking)

        def connected() -> T:
            if self.client is None:
                if self.client_factory is None:
                    raise HttpError(
                        503,
                        "No engine to send the command to.",
                        "Start `honeyflow web` with --address HOST:PORT (or set"
                        " HONEYFLOW_ADDRESS).",
                    )
                self.client = self.client_factory()
            return act(self.client)

        return await asyncio.get_running_loop().run_in_executor(self.engine_thread, run)

    def close(self) -> None:
        if self.client is not None:
            self.engine_thread.submit(self.client.close).result()
        self.engine_thread.shutdown()
        self.store_thread.submit(self.store.close).result()
        self.store_thread.shutdown()


STATE = web.AppKey("honeyflow_web", WebState)


def html_response(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def json_response(value: Any) -> web.Response:
    return web.Response(text=json.dumps(value), content_type="application/json")


def state_of(request: web.Request) -> WebState:
    return request.app[STATE]


def before_param(request: web.Request) -> tuple[int, int] | None:
    """The `before=TIME:KEY` of a next-page link."""
    text = request.query.get("before")
    if not text:
        return None
    time_text, _, key_text = text.partition(":")
    try:
        return int(time_text), int(key_text)
    except ValueError:
        raise HttpError(400, f"before must be TIME:KEY, not {text!r}") from None


def check_same_origin(request: web.Request) -> None:
    """No authentication here (bind to localhost or put it behind a proxy that has it), but a
    page of another site must not be able to make a visitor's browser resolve incidents."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise HttpError(403, "cross-site request refused")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise HttpError(403, "cross-origin request refused")


def local_path(text: str, fallback: str) -> str:
    """Only a path of this site to go back to: never `//other.host` or `https://...`."""
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text
    return fallback


def acting_user(request: web.Request) -> str:
    """The name this browser acts under: the logged-in user (`honeyflow web --users`), else
    its name cookie, else `honeyflow web --user`. Without a login anyone can type any name."""
    session = current_session()
    if session is not None:
        return session.user.name
    cookie = request.cookies.get(USER_COOKIE)
    if cookie is not None:
        try:
            return check_user(unquote(cookie))
        except ValueError:
            pass
    return state_of(request).default_user


def check_user(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_USER_LENGTH or any(not c.isprintable() for c in name):
        raise ValueError(
            f"a user name is printable text of at most {MAX_USER_LENGTH} characters,"
            f" not {name[:40]!r}"
        )
    return name
