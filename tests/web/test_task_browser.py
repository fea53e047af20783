"""The task pages in a real browser (headless Chromium, tests/web/tasks.mjs) on the
in-process engine and a SQLite store: the list filtered by group, the acting user named,
a deployed form drawn by form-js, prefilled, claimed, checked, filled in and completed, a
task without a form completed through the JSON editor, a claim of bob's task refused by the
engine, and the instance page listing its task. The same script runs on Kafka in
test_task_kafka.py."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clients.client import Client, connect
from clients.web.app import create_app
from clients.web.assets import NPM_DIR, WebAssets
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.web.server_thread import serving
from tests.web.task_workload import HOLDER, INVOICE_VARIABLES, TaskWorkload, run_task_workload
from tests.web.test_browser import CHROMIUM, _missing
from tests.web.web_workload import ExportingClient, export

SCRIPT = Path(__file__).parent / "tasks.mjs"
USER = "ada"
FORM_INPUT = {"Approved": True, "Comment*": "looks right"}
PLAIN_VARIABLES = {"approved": False, "reason": "no budget"}


def _missing_for_tasks() -> str | None:
    if WebAssets.find().form_js_dist is None:
        return f"no form-js in {NPM_DIR} (make install)"
    return _missing()


def run_tasks_script(
    base: str, tmp: pytest.TempPathFactory, w: TaskWorkload, **more: Any
) -> dict[str, Any]:
    missing = _missing_for_tasks()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests to run: {missing}")
        pytest.skip(missing)
    screenshots = os.environ.get("HONEYFLOW_SCREENSHOTS") or str(tmp.mktemp("shots"))
    args = {
        "base": base,
        "npmDir": str(NPM_DIR),
        "chromium": str(CHROMIUM),
        "userDataDir": str(tmp.mktemp("chromium-profile")),
        "screenshots": screenshots,
        "group": "accounting",
        "user": USER,
        "formTask": str(w.form_task),
        "plainTask": str(w.plain_task),
        "heldTask": str(w.held_task),
        "embeddedTask": str(w.embedded_task),
        "invoiceInstance": str(w.invoice_instance),
        "prefilled": {"Customer": "Ada & Co", "Amount": "120"},
        "requiredLabel": "Comment*",
        "formInput": FORM_INPUT,
        "plainVariables": json.dumps(PLAIN_VARIABLES),
        **more,
    }
    done = subprocess.run(
        ["node", str(SCRIPT), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    print(done.stderr)  # the steps, with times: shown when a test fails
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert "failure" not in result, json.dumps(result, indent=1)
    result["screenshots"] = screenshots
    return result


@dataclass
class TaskSite:
    client: Client
    page_client: ExportingClient
    workload: TaskWorkload
    store_path: Path
    result: dict[str, Any]


@pytest.fixture(scope="module")
def task_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TaskSite]:
    if _missing_for_tasks() and not os.environ.get("CI"):
        pytest.skip(str(_missing_for_tasks()))
    store_path = tmp_path_factory.mktemp("tasks") / "visibility.db"
    with connect("memory://?partitions=2") as client:
        workload = run_task_workload(client, tick=lambda: client.advance_time(1000))
        export(client, store_path)
        page_client = ExportingClient(client, store_path)
        app = create_app(
            open_store(str(store_path), create=False), client_factory=lambda: page_client
        )
        with serving(app) as base:
            result = run_tasks_script(base, tmp_path_factory, workload)
            yield TaskSite(client, page_client, workload, store_path, result)


def check_list_and_user(result: dict[str, Any], w: TaskWorkload) -> None:
    listed = result["list"]
    assert set(listed["all"]) == {
        str(w.form_task),
        str(w.plain_task),
        str(w.held_task),
        str(w.embedded_task),
    }
    assert listed["url"].endswith("/tasks?group=accounting&assignee=")
    # The expense's task is for sales only.
    assert set(listed["filtered"]) == {str(w.form_task), str(w.plain_task), str(w.held_task)}
    assert result["user"]["url"].endswith("/tasks?group=accounting")
    assert result["user"]["value"] == USER
    assert result["errors"] == [] and result["foreignRequests"] == []


def check_form_task(result: dict[str, Any], w: TaskWorkload) -> None:
    form = result["formTask"]
    assert form["claimStatus"] == 200
    assert f"Task {w.form_task} claimed by {USER}" in form["claimNotice"]
    assert form["formState"] == "ready", form["formMessage"]
    assert form["labels"] == ["Customer", "Amount", "Approved", "Comment*"]
    assert form["prefilled"] == {"Customer": "Ada & Co", "Amount": "120"}
    # A required field left empty: form-js shows it, nothing is sent.
    assert form["blockedUrl"] == form["url"]
    assert "not valid" in form["blockedMessage"]
    assert form["completeStatus"] == 200
    assert form["afterUrl"].endswith(f"/tasks?completed={w.form_task}")
    assert f"Task {w.form_task} completed" in form["afterNotice"]


def check_plain_task(result: dict[str, Any], w: TaskWorkload) -> None:
    plain = result["plainTask"]
    assert plain["badJsonUrl"].endswith(f"/tasks/{w.plain_task}?done=claimed")
    assert plain["badJson"].startswith("Not JSON:")
    assert "must be a JSON object" in plain["notObject"]
    assert plain["completeStatus"] == 200
    assert plain["afterUrl"].endswith(f"/tasks?completed={w.plain_task}")


def check_conflict(result: dict[str, Any], w: TaskWorkload) -> None:
    conflict = result["conflict"]
    assert conflict["status"] == 409
    assert "notice-error" in conflict["noticeClass"]
    assert f"The engine did not claim task {w.held_task}" in conflict["notice"]
    assert "INVALID_STATE" in conflict["notice"]
    assert f"already been assigned to '{HOLDER}'" in conflict["notice"]


def check_embedded_form(result: dict[str, Any]) -> None:
    embedded = result["embeddedTask"]
    assert embedded["formState"] == "ready", embedded
    assert embedded["labels"] == ["Purpose"]
    assert embedded["prefilled"] == {"Purpose": "train to Bern"}


def test_the_list_is_filtered_by_group_and_the_user_is_named(task_site: TaskSite) -> None:
    check_list_and_user(task_site.result, task_site.workload)
    w = task_site.workload
    # Newest first.
    assert task_site.result["list"]["all"] == [
        str(w.form_task),
        str(w.plain_task),
        str(w.held_task),
        str(w.embedded_task),
    ]


def test_a_deployed_form_is_filled_in_and_completes_the_instance(task_site: TaskSite) -> None:
    w = task_site.workload
    check_form_task(task_site.result, w)
    assert str(w.form_task) not in task_site.result["formTask"]["afterKeys"]
    with open_store(str(task_site.store_path), create=False) as store:
        detail = Queries(store).instance(w.invoice_instance)
    assert detail.instance.state == "COMPLETED"
    variables = {v.name: json.loads(v.value) for v in detail.variables}
    assert variables == {**INVOICE_VARIABLES, "approved": True, "comment": "looks right"}
    # Opened again: completed, its form read-only with what was sent, no actions.
    assert task_site.result["completedTask"] == {
        "formState": "ready",
        "commentDisabled": True,
        "comment": "looks right",
        "actions": 0,
    }
    for name in ("task-list.png", "task-page.png"):
        assert (Path(task_site.result["screenshots"]) / name).stat().st_size > 10_000


def test_a_task_without_a_form_is_completed_through_the_json_editor(task_site: TaskSite) -> None:
    w = task_site.workload
    check_plain_task(task_site.result, w)
    with open_store(str(task_site.store_path), create=False) as store:
        detail = Queries(store).instance(w.approve_instance)
    assert detail.instance.state == "COMPLETED"
    variables = {v.name: json.loads(v.value) for v in detail.variables}
    assert variables == {"request": "team dinner", **PLAIN_VARIABLES}


def test_claiming_bobs_task_shows_the_engines_refusal(task_site: TaskSite) -> None:
    check_conflict(task_site.result, task_site.workload)


def test_an_embedded_form_is_drawn_and_the_instance_page_lists_its_task(
    task_site: TaskSite,
) -> None:
    check_embedded_form(task_site.result)
    instance = task_site.result["instancePage"]
    w = task_site.workload
    assert instance["taskLinks"] == [f"/tasks/{w.form_task}"]
    assert "COMPLETED" in instance["tasksText"] and USER in instance["tasksText"]
