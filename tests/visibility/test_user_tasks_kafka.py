"""Camunda user tasks on a real Kafka, end to end: two `honeyflow engine` processes, tasks
created through the Python client on `kafka://`, a timer boundary escalating an overdue task,
`honeyflow exporter` (a process) projecting them into a SQLite store, `honeyflow tasks list` /
`task show` reading it, and `honeyflow task claim|assign|unassign|complete` acting on the
engine."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner, Result

from broker.topics import TopicSettings, ensure_topics
from clients.cli.main import cli
from clients.client import connect
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_transport import KafkaTransport

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]

SCENARIOS = Path(__file__).resolve().parents[1] / "engine" / "scenarios"
HONEYFLOW = str(Path(sys.executable).parent / "honeyflow")
DEADLINE = 60.0


def _run(address: str, *args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"HONEYFLOW_ADDRESS": address})
    if ok:
        assert result.exit_code == 0, (args, result.output, result.exception)
    return result


def _tasks(store: str, *args: str) -> list[dict[str, Any]]:
    out = CliRunner().invoke(cli, ["tasks", "list", "--json", "--store", store, *args])
    if out.exit_code != 0:  # no store (or no schema) yet: the exporter is starting
        return []
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


def _wait(what: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    """Polls `what()` until `done` holds (a wait, not a timed assert: the caller asserts on
    what was seen last)."""
    deadline = time.monotonic() + DEADLINE
    seen = what()
    while not done(seen) and time.monotonic() < deadline:
        time.sleep(0.3)
        seen = what()
    return seen


def test_tasks_through_engines_exporter_and_cli(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=f"{unique_name}.", partitions=2)
    ensure_topics({"bootstrap.servers": kafka_bootstrap}, topics.core_topics())
    address = f"kafka://{kafka_bootstrap}?prefix={topics.prefix}"
    store = str(tmp_path / "visibility.db")
    engines = EngineProcesses({"bootstrap.servers": kafka_bootstrap}, topics, tmp_path / "e", 2)
    exporter: subprocess.Popen[bytes] | None = None
    exporter_log = tmp_path / "exporter.log"
    try:
        engines.wait_until_serving()
        with connect(address) as client:
            client.deploy(
                SCENARIOS / "camunda_user_task.bpmn",
                SCENARIOS / "camunda_user_task_short.bpmn",
                SCENARIOS / "camunda_user_task_form.bpmn",
                SCENARIOS / "review.form",
            )
            cast(KafkaTransport, client.transport).settle()  # deployed on every partition
            reviews = [client.create_instance("camunda_user_task") for _ in range(2)]
            overdue = client.create_instance("camunda_user_task_short")
            with_form = client.create_instance("camunda_user_task_form")

            with exporter_log.open("wb") as log:
                exporter = subprocess.Popen(
                    [
                        *(HONEYFLOW, "exporter", "--bootstrap", kafka_bootstrap),
                        *("--prefix", topics.prefix, "--store", store),
                    ],
                    cwd=tmp_path,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )

            # the overdue review is escalated by its timer (PT2S): canceled, a new task for boss
            escalated = _wait(
                lambda: _tasks(store, "--assignee", "boss"),
                lambda rows: len(rows) == 1,
            )
            assert [(t["elementId"], t["processInstanceKey"]) for t in escalated] == [
                ("escalate", overdue)
            ]
            [canceled] = _tasks(store, "--state", "canceled")
            assert canceled["processInstanceKey"] == overdue and canceled["elementId"] == "review"

            open_reviews = _wait(
                lambda: _tasks(store, "--group", "clerks", "--state", "created"),
                lambda rows: len(rows) == 2,
            )
            by_instance = {t["processInstanceKey"]: t["userTaskKey"] for t in open_reviews}
            assert set(by_instance) == set(reviews)
            first, second = (by_instance[i] for i in reviews)

            claimed = json.loads(
                _run(address, "task", "claim", str(first), "--assignee", "ann", "--json").stdout
            )
            assert (claimed["assignee"], claimed["action"]) == ("ann", "claim")
            conflict = _run(address, "task", "claim", str(first), "--assignee", "bob", ok=False)
            assert conflict.exit_code != 0 and "INVALID_STATE" in conflict.output
            _run(address, "task", "assign", str(second), "--assignee", "carl")
            assert "unassigned" in _run(address, "task", "unassign", str(second)).output
            _run(address, "task", "update", str(second), "--priority", "95", "--groups", "audit")
            done = _run(
                address, "task", "complete", str(first), "--variables", '{"approved": true}'
            )
            assert f"task {first} completed" in done.output

            completed = _wait(
                lambda: _tasks(store, "--state", "completed"), lambda rows: len(rows) == 1
            )
            assert [t["userTaskKey"] for t in completed] == [first]
            assert completed[0]["assignee"] == "ann"
            second_now = _wait(
                lambda: _tasks(store, "--group", "audit"),
                lambda rows: len(rows) == 1 and rows[0]["priority"] == 95,
            )
            assert second_now[0]["userTaskKey"] == second and second_now[0]["assignee"] == ""
            instance = _wait(
                lambda: json.loads(
                    CliRunner()
                    .invoke(cli, ["instance", str(reviews[0]), "--json", "--store", store])
                    .stdout
                    or "{}"
                ),
                lambda detail: detail.get("instance", {}).get("state") == "COMPLETED",
            )
            assert instance["instance"]["state"] == "COMPLETED"
            assert {"name": "reviewApproved", "value": "true"} in [
                {"name": v["name"], "value": v["value"]} for v in instance["variables"]
            ]

            [form_task] = _tasks(store, "--instance", str(with_form))
            detail = json.loads(
                _run(
                    address,
                    "task",
                    "show",
                    str(form_task["userTaskKey"]),
                    "--json",
                    "--store",
                    store,
                ).stdout
            )
            assert detail["task"]["formId"] == "review-form"
            assert json.loads(detail["form"]["schema"])["id"] == "review-form"
    except BaseException:
        print(engines.output()[-4000:])
        if exporter_log.exists():
            print(exporter_log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if exporter is not None and exporter.poll() is None:
            exporter.send_signal(signal.SIGTERM)
            try:
                exporter.wait(30)
            except subprocess.TimeoutExpired:
                exporter.kill()
                exporter.wait()
        engines.stop()
