"""The task pages end to end on Kafka: two `honeyflow engine` processes, `honeyflow
exporter` filling a SQLite store, and the web app acting through a kafka:// client, driven
in headless Chromium by the same script as the in-process test: filter by group, claim,
fill the deployed form in, complete (the instance completes with the form's variables),
complete a task without a form through the JSON editor, and see bob's task refused."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import cast

import pytest

from clients.client import connect
from clients.kafka_transport import KafkaTransport
from clients.web.app import create_app
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.web.kafka_stack import engines_and_exporter
from tests.web.server_thread import serving
from tests.web.task_workload import INVOICE_VARIABLES, run_task_workload
from tests.web.test_task_browser import (
    PLAIN_VARIABLES,
    _missing_for_tasks,
    check_conflict,
    check_embedded_form,
    check_form_task,
    check_list_and_user,
    check_plain_task,
    run_tasks_script,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]

DEADLINE = 60.0


def _store_tasks(store: str, instances: list[int]) -> dict[int, int]:
    """Waits until the exporter has every instance's task in the store; their keys."""
    deadline = time.monotonic() + DEADLINE
    found: dict[int, int] = {}
    while time.monotonic() < deadline:
        try:
            with open_store(store, create=False) as opened:
                rows = Queries(opened).user_tasks(limit=100)
            found = {t.process_instance_key: t.user_task_key for t in rows}
        except Exception:  # the exporter has not created the store yet
            found = {}
        if all(i in found for i in instances):
            return found
        time.sleep(0.3)
    raise AssertionError(f"tasks of {instances} not in the store after {DEADLINE}s: {found}")


def _instance_state(store: str, key: int) -> tuple[str, dict[str, object]]:
    """Waits until the instance has ended in the store; its state and variables."""
    deadline = time.monotonic() + DEADLINE
    state = ""
    while time.monotonic() < deadline:
        with open_store(store, create=False) as opened:
            detail = Queries(opened).instance(key)
        state = detail.instance.state
        if state != "ACTIVE":
            return state, {v.name: json.loads(v.value) for v in detail.variables}
        time.sleep(0.3)
    raise AssertionError(f"instance {key} still {state} after {DEADLINE}s")


def test_task_pages_on_kafka(
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if _missing_for_tasks() and not os.environ.get("CI"):
        pytest.skip(str(_missing_for_tasks()))
    with engines_and_exporter(kafka_bootstrap, unique_name, tmp_path) as stack:
        url, store = stack.url, stack.store
        with connect(url) as client:
            workload = run_task_workload(
                client,
                wait=lambda instances: _store_tasks(store, instances),
                settle=cast(KafkaTransport, client.transport).settle,
            )
        app = create_app(open_store(store, create=False), client_factory=lambda: connect(url))
        with serving(app) as base:
            result = run_tasks_script(base, tmp_path_factory, workload)
        check_list_and_user(result, workload)
        check_form_task(result, workload)
        check_plain_task(result, workload)
        check_conflict(result, workload)
        check_embedded_form(result)
        state, variables = _instance_state(store, workload.invoice_instance)
        assert state == "COMPLETED"
        assert variables == {**INVOICE_VARIABLES, "approved": True, "comment": "looks right"}
        state, variables = _instance_state(store, workload.approve_instance)
        assert state == "COMPLETED"
        assert variables == {"request": "team dinner", **PLAIN_VARIABLES}
