"""The operator's commands on a store filled with a known workload: tables and JSON, and
`incident resolve --retries` going through the client to the engine that raised it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from clients.cli.main import cli
from clients.client import Client, connect
from processors.exporter.store import open_store
from tests.visibility.projection_helpers import apply_records
from tests.visibility.workload import Workload, run_workload


@pytest.fixture
def engine() -> Iterator[Client]:
    with connect("memory://?partitions=2") as client:
        yield client


@pytest.fixture
def filled(engine: Client, tmp_path: Path) -> tuple[Workload, str]:
    workload = run_workload(engine)
    store = str(tmp_path / "visibility.db")
    with open_store(store) as s:
        apply_records(s, workload.records)
    return workload, store


def _run(*args: str) -> str:
    # Wide enough that rich truncates no column.
    out = CliRunner(env={"COLUMNS": "220"}).invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return out.stdout


def test_status_table_names_the_process_and_the_lag(filled: tuple[Workload, str]) -> None:
    _, store = filled
    out = _run("status", "--store", store)
    assert "one_task" in out
    assert "exporter lag (records behind): p1 0, p2 0" in out


def test_instances_filter_by_state(filled: tuple[Workload, str]) -> None:
    workload, store = filled
    rows = json.loads(_run("instances", "--state", "canceled", "--json", "--store", store))
    assert [r["processInstanceKey"] for r in rows] == workload.canceled
    table = _run("instances", "--process", "one_task", "--limit", "3", "--store", store)
    assert table.count("one_task") == 3


def test_instance_shows_where_it_waits(filled: tuple[Workload, str]) -> None:
    workload, store = filled
    out = _run("instance", str(workload.waiting[0]), "--store", store)
    assert "waiting at: task (SERVICE_TASK)" in out
    assert "JOB" in out and "CREATED" in out  # the audit records


def test_reading_a_missing_store_says_so(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["status", "--store", str(tmp_path / "none.db")])
    assert out.exit_code == 1
    assert "no query store at" in out.output
    assert not (tmp_path / "none.db").exists()


def test_resolve_with_retries_gives_the_job_retries_then_resolves(
    filled: tuple[Workload, str], engine: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    workload, store = filled
    key = workload.incident_keys[0]
    monkeypatch.setattr("clients.client.connect", lambda url, **kw: _Unclosed(engine))
    out = _run(
        "incident", "resolve", str(key), "--retries", "2", "--url", "memory://", "--store", store
    )
    assert f"incident {key} resolved" in out
    with open_store(store) as s:
        apply_records(s, engine.records())  # what the exporter would read next
    open_after = json.loads(_run("incidents", "--json", "--store", store))
    assert key not in [i["incidentKey"] for i in open_after]
    resolved = json.loads(_run("incidents", "--state", "resolved", "--json", "--store", store))
    assert [i["incidentKey"] for i in resolved] == [key]
    retried = [
        r for r in engine.records() if r["valueType"] == "JOB" and r["intent"] == "RETRIES_UPDATED"
    ]
    assert [r["value"]["retries"] for r in retried] == [2]


class _Unclosed:
    """The test's engine client, left open when the command's `with` block ends."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __enter__(self) -> Client:
        return self._client

    def __exit__(self, *exc: object) -> None:
        pass


def test_resolve_with_retries_serves_an_execution_listener_out_of_retries(
    engine: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.deploy(Path(__file__).parents[1] / "engine" / "scenarios" / "listeners_incidents.bpmn")
    engine.create_instance("listeners_incidents", {"kind": "a"})
    [job] = engine.activate_jobs("first", max_jobs=1, timeout=60)
    engine.fail_job(job.key, 0, "listener down")
    store = str(tmp_path / "visibility.db")
    with open_store(store) as s:
        apply_records(s, engine.records())
    [incident] = json.loads(_run("incidents", "--json", "--store", store))
    assert incident["errorType"] == "EXECUTION_LISTENER_NO_RETRIES"
    monkeypatch.setattr("clients.client.connect", lambda url, **kw: _Unclosed(engine))
    key = incident["incidentKey"]
    out = _run(
        "incident", "resolve", str(key), "--retries", "1", "--url", "memory://", "--store", store
    )
    assert f"job {job.key}: retries set to 1" in out and f"incident {key} resolved" in out
    assert [j.key for j in engine.activate_jobs("first", max_jobs=1, timeout=60)] == [job.key]


def test_keys_are_never_cut_at_80_columns(filled: tuple[Workload, str]) -> None:
    workload, store = filled
    waiting, incident = workload.waiting[0], workload.incident_keys[0]
    for args, key in (
        (["instances"], waiting),
        (["incidents"], incident),
        (["instance", str(waiting)], waiting),
    ):
        out = CliRunner(env={"COLUMNS": "80"}).invoke(cli, [*args, "--store", store])
        assert out.exit_code == 0, out.output
        assert str(key) in out.stdout
        assert not re.search(r"\d{5,}…", out.stdout), out.stdout  # a key cut short
