"""`honeyflow web --users` as a user starts it, on Kafka: two `honeyflow engine` processes and
`honeyflow exporter` (tests/web/kafka_stack.py), the console a process of its own. A
request without a session is sent to the login; the task user's complete with another
session's CSRF token is refused and the task stays open; with its own token it claims and
completes its task and the instance completes."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import cast

import pytest

from clients.client import connect
from clients.kafka_transport import KafkaTransport
from tests.web.kafka_stack import HONEYFLOW, engines_and_exporter
from tests.web.login_site import Browser, write_users
from tests.web.task_workload import run_task_workload
from tests.web.test_task_kafka import _instance_state, _store_tasks

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]

DEADLINE = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(base: str, console: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        assert console.poll() is None, "honeyflow web stopped"
        try:
            with urllib.request.urlopen(base + "/login", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"honeyflow web did not answer at {base} in {DEADLINE}s")


def _task_state(store: str, key: int) -> tuple[str, str]:
    from processors.exporter.queries import Queries
    from processors.exporter.store import open_store

    with open_store(store, create=False) as opened:
        task = Queries(opened).user_task(key).task
    return task.state, task.assignee


def test_login_on_kafka(kafka_bootstrap: str, unique_name: str, tmp_path: Path) -> None:
    users = write_users(tmp_path / "users.json")
    with engines_and_exporter(kafka_bootstrap, unique_name, tmp_path) as stack:
        with connect(stack.url) as client:
            workload = run_task_workload(
                client,
                wait=lambda instances: _store_tasks(stack.store, instances),
                settle=cast(KafkaTransport, client.transport).settle,
            )
        port = _free_port()
        log = tmp_path / "web.log"
        with log.open("wb") as out:
            console = subprocess.Popen(
                [HONEYFLOW, "web", "--users", str(users), "--store", stack.store,
                 "--address", stack.url, "--port", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base, console)
            task = workload.plain_task
            anonymous = Browser(base)
            assert anonymous.get("/tasks").location == "/login?next=/tasks"
            assert anonymous.post(f"/tasks/{task}/claim").status == 401

            carol, other = Browser(base), Browser(base)
            assert carol.login("carol").location == "/tasks"
            assert other.login("carol").status == 303
            token, foreign = carol.csrf_token(), other.csrf_token()
            refused = carol.post(f"/tasks/{task}/claim", {"csrf_token": foreign})
            assert refused.status == 403 and "security token (CSRF)" in refused.body
            assert carol.post(f"/tasks/{task}/claim", {"csrf_token": token}).status == 303
            deadline = time.monotonic() + DEADLINE
            while _task_state(stack.store, task) != ("CREATED", "carol"):
                assert time.monotonic() < deadline, _task_state(stack.store, task)
                time.sleep(0.3)
            done = {"variables": '{"approved": true}'}
            refused = carol.post(f"/tasks/{task}/complete", {**done, "csrf_token": foreign})
            assert refused.status == 403
            assert _task_state(stack.store, task) == ("CREATED", "carol")
            completed = carol.post(f"/tasks/{task}/complete", {**done, "csrf_token": token})
            assert completed.status == 303, completed.body[:300]
            state, variables = _instance_state(stack.store, workload.approve_instance)
            assert state == "COMPLETED" and variables["approved"] is True
        finally:
            console.terminate()
            console.wait(30)
        output = log.read_text(errors="replace")
        assert "3 users log in" in output, output
        assert "WARNING" not in output
