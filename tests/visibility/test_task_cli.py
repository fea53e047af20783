"""`honeyflow tasks list` and `honeyflow task show` on a store filled from the in-process
engine's records; the task verbs against the engine are tested on Kafka
(test_user_tasks_kafka.py)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli
from processors.exporter.store import open_store
from tests.visibility.projection_helpers import apply_records
from tests.visibility.test_user_task_store import KEYS, RECORDS


def _run(*args: str) -> str:
    out = CliRunner(env={"COLUMNS": "220"}).invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return out.stdout


def _store(tmp_path: Path) -> str:
    store = str(tmp_path / "visibility.db")
    with open_store(store) as s:
        apply_records(s, RECORDS)
    return store


def test_tasks_list_filters_by_assignee_group_and_state(tmp_path: Path) -> None:
    store = _store(tmp_path)
    mine = json.loads(_run("tasks", "list", "--assignee", "ann", "--json", "--store", store))
    assert [t["userTaskKey"] for t in mine] == [KEYS["claimed"]]
    assert mine[0]["candidateGroups"] == ["clerks", "audit"]
    managers = json.loads(
        _run(
            "tasks",
            "list",
            "--group",
            "managers",
            "--state",
            "completed",
            "--json",
            "--store",
            store,
        )
    )
    assert [t["userTaskKey"] for t in managers] == [KEYS["completed"]]
    table = _run("tasks", "list", "--state", "created", "--store", store)
    assert str(KEYS["claimed"]) in table and str(KEYS["form"]) in table
    assert str(KEYS["completed"]) not in table


def test_task_show_prints_the_task_and_its_form(tmp_path: Path) -> None:
    store = _store(tmp_path)
    out = _run("task", "show", str(KEYS["form"]), "--store", store)
    assert "camunda_user_task_form" in out and "review-form v1" in out
    detail = json.loads(_run("task", "show", str(KEYS["form"]), "--json", "--store", store))
    assert json.loads(detail["form"]["schema"])["components"][0]["key"] == "approved"
    missing = CliRunner().invoke(cli, ["task", "show", "1", "--store", store])
    assert missing.exit_code != 0 and "no user task with key 1" in missing.output
