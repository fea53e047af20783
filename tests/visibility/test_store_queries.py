"""The projection and the queries on both stores, fed the exact records the in-process
engine wrote for a known workload: the numbers an operator reads, the path of one stuck
instance, idempotency, and SQLite and PostgreSQL giving the same answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.visibility.projection_helpers import apply_records
from tests.visibility.workload import Workload, build_workload, nearest_rank


@pytest.fixture(scope="module")
def workload() -> Workload:
    return build_workload()


def _all_answers(queries: Queries, workload: Workload) -> dict[str, Any]:
    keys = workload.completed + workload.waiting + workload.with_incident + workload.canceled
    return {
        "status": [s.to_json() for s in queries.process_stats()],
        "instances": [i.to_json() for i in queries.instances(limit=100)],
        "details": [queries.instance(k).to_json() for k in keys],
        "incidents": [i.to_json() for i in queries.incidents(None)],
        "definitions": [d.to_json() for d in queries.definitions()],
        "elements": [
            e.to_json()
            for d in queries.definitions()
            for e in queries.element_stats(d.process_definition_key)
        ],
    }


def test_status_counts_and_durations_match_the_audit_log(
    store_url: str, workload: Workload
) -> None:
    with open_store(store_url) as store:
        apply_records(store, workload.records, batch_size=7)
        [stats] = Queries(store).process_stats()
    durations = list(workload.durations().values())
    assert (stats.bpmn_process_id, stats.version) == ("one_task", 1)
    assert stats.active == len(workload.waiting) + len(workload.with_incident)
    assert stats.completed == len(workload.completed)
    assert stats.canceled == len(workload.canceled)
    assert stats.incidents == len(workload.with_incident)
    assert stats.duration_mean_ms == pytest.approx(sum(durations) / len(durations))
    assert stats.duration_p50_ms == nearest_rank(durations, 50)
    assert stats.duration_p95_ms == nearest_rank(durations, 95)


def test_a_window_keeps_only_recently_completed_instances(
    workload: Workload, tmp_path: Path
) -> None:
    ends = {
        r["key"]: r["timestamp"]
        for r in workload.records
        if r["intent"] == "ELEMENT_COMPLETED" and r["value"]["bpmnElementType"] == "PROCESS"
    }
    since = sorted(ends.values())[-2]
    recent = [d for key, d in workload.durations().items() if ends[key] >= since]
    with open_store(str(tmp_path / "s.db")) as store:
        apply_records(store, workload.records)
        queries = Queries(store)
        [windowed] = queries.process_stats(window_start_ms=since)
        [empty] = queries.process_stats(window_start_ms=max(ends.values()) + 1)
    assert windowed.completed == len(workload.completed)  # counts are not windowed
    assert windowed.duration_mean_ms == pytest.approx(sum(recent) / len(recent))
    assert windowed.duration_p95_ms == max(recent)
    assert empty.duration_mean_ms is None and empty.duration_p50_ms is None


def test_applying_the_log_again_changes_nothing(store_url: str, workload: Workload) -> None:
    with open_store(store_url) as store:
        first = apply_records(store, workload.records, batch_size=13)
        before = _all_answers(Queries(store), workload)
        again = apply_records(store, workload.records, batch_size=5)
        after = _all_answers(Queries(store), workload)
    assert first == len(workload.records)
    assert again == 0
    assert after == before


def test_one_stuck_instance_shows_its_path_wait_variables_and_incident(
    store_url: str, workload: Workload
) -> None:
    key = workload.with_incident[0]
    with open_store(store_url) as store:
        apply_records(store, workload.records)
        detail = Queries(store).instance(key)
    assert detail.instance.state == "ACTIVE"
    assert detail.instance.open_incidents == 1
    assert [(e.element_id, e.state) for e in detail.path] == [
        ("one_task", "ACTIVE"),
        ("start", "COMPLETED"),
        ("f1", "TAKEN"),
        ("task", "ACTIVE"),
    ]
    assert [e.element_id for e in detail.waiting_at] == ["task"]
    assert {v.name: json.loads(v.value) for v in detail.variables}["order"].startswith("o-")
    [incident] = detail.incidents
    assert (incident.error_type, incident.state, incident.element_id) == (
        "JOB_NO_RETRIES",
        "OPEN",
        "task",
    )
    assert incident.error_message == f"card declined for {key}"
    [job] = detail.jobs
    assert (job.job_key, job.state, job.retries) == (incident.job_key, "FAILED", 0)
    expected_audit = [
        (r["partitionId"], r["position"], r["intent"])
        for r in workload.records
        if r["recordType"] != "COMMAND" and r["value"].get("processInstanceKey") == key
    ]
    assert [(a.partition_id, a.position, a.intent) for a in detail.audit] == expected_audit


def test_a_completed_instance_ends_with_its_end_event(workload: Workload, tmp_path: Path) -> None:
    key = workload.completed[0]
    with open_store(str(tmp_path / "s.db")) as store:
        apply_records(store, workload.records)
        detail = Queries(store).instance(key)
    assert detail.instance.state == "COMPLETED"
    assert detail.instance.duration_ms == workload.durations()[key]
    assert detail.waiting_at == ()
    assert [e.element_id for e in detail.path] == ["one_task", "start", "f1", "task", "f2", "end"]
    assert {v.name: v.value for v in detail.variables}["paid"] == "true"


def test_sqlite_and_postgresql_give_the_same_answers(
    postgres_url: str, workload: Workload, tmp_path: Path
) -> None:
    answers = []
    for url in (str(tmp_path / "s.db"), postgres_url):
        with open_store(url) as store:
            apply_records(store, workload.records, batch_size=11)
            answers.append(_all_answers(Queries(store), workload))
    assert answers[0] == answers[1]
    assert answers[0]["status"][0]["completed"] == len(workload.completed)
