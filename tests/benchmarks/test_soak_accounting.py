"""`make soak`'s judgement, on the in-process engine: the ledger built from the audit log
accounts for every instance of the soak process (completed once, waiting on an incident, or
reported), the driver's way of resolving an incident gets the instance done, and a series
counts as flat or not by its slope over the second half."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchmarks.soak_ledger import Ledger
from benchmarks.soak_report import Sample, fit_slope, trend, trends, write_csv
from benchmarks.soak_workload import (
    JOB_RETRIES,
    JOB_TYPE,
    MESSAGE_NAME,
    PROCESS_ID,
    SOAK_PROCESS,
    PlannedFailure,
    handle,
    variables_of,
)
from clients.client import Client, connect


def audit_log(client: Client) -> list[dict[str, Any]]:
    """The records as the soak driver reads them from Kafka: JSON."""
    return json.loads(json.dumps(client.records()))


def run_jobs(client: Client) -> None:
    """What the soak worker does: the handler's result completes, its failure fails with
    one retry fewer."""
    for job in client.activate_jobs(JOB_TYPE, max_jobs=100, timeout=30):
        try:
            result = handle(fail=job.variables.get("fail", False))
        except PlannedFailure as error:
            client.fail_job(job.key, job.retries - 1, str(error))
        else:
            client.complete_job(job.key, result)


def soak_round(client: Client, ledger: Ledger, count: int, fail_every: int) -> None:
    """Create `count` instances, work their jobs until none is left, let the timer fire
    and publish each message once its subscription shows in the audit log."""
    for i in range(count):
        ledger.sent_ms[i] = 0.0
        client.create_instance(PROCESS_ID, variables_of(i, fail_every))
    for _ in range(JOB_RETRIES + 1):
        run_jobs(client)
    client.advance_time(2)
    feed_new(client, ledger)
    for key in ledger.take_subscriptions():
        client.publish_message(MESSAGE_NAME, key)
    feed_new(client, ledger)


def feed_new(client: Client, ledger: Ledger) -> None:
    for record in audit_log(client)[ledger.records :]:
        ledger.feed(record)


@pytest.fixture
def client() -> Any:
    with connect("memory://?partitions=2") as c:
        c.deploy(SOAK_PROCESS)
        yield c


def test_every_instance_of_the_soak_process_completes_once_or_waits_on_its_incident(
    client: Client,
) -> None:
    ledger = Ledger()
    soak_round(client, ledger, 10, fail_every=5)  # i = 0 and 5 fail into incidents
    verdict = ledger.verdict()
    assert ledger.incidents_created == 2
    assert verdict.completed_once == 8
    assert verdict.on_incident == [0, 5]
    assert verdict.lost == [] and verdict.ok
    assert [c.had_incident for c in ledger.take_completions()] == [False] * 8


def test_the_drivers_resolution_of_an_incident_gets_its_instance_completed(
    client: Client,
) -> None:
    ledger = Ledger()
    soak_round(client, ledger, 3, fail_every=3)  # i = 0 fails
    [incident] = ledger.open_incidents.values()
    client.set_variables(incident.process_instance_key, {"fail": False})
    client.update_job_retries(incident.job_key, 1)
    client.resolve_incident(incident.key)
    run_jobs(client)
    client.advance_time(2)
    feed_new(client, ledger)
    for key in ledger.take_subscriptions():
        client.publish_message(MESSAGE_NAME, key)
    feed_new(client, ledger)
    verdict = ledger.verdict()
    assert ledger.incidents_resolved == 1 and not ledger.open_incidents
    assert verdict.completed_once == 3 and verdict.on_incident == [] and verdict.ok
    assert [c.had_incident for c in ledger.take_completions()] == [False, False, True]


def test_an_instance_completed_twice_or_never_fails_the_verdict(client: Client) -> None:
    first = Ledger()
    soak_round(client, first, 3, fail_every=0)
    records = audit_log(client)
    completed = [
        r
        for r in records
        if r["recordType"] == "EVENT"
        and r["intent"] == "ELEMENT_COMPLETED"
        and r["value"]["bpmnElementType"] == "PROCESS"
    ]
    ledger = Ledger(sent_ms={0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0})
    for record in records:
        if record is not completed[2]:  # one instance never completes
            ledger.feed(record)
    ledger.feed(completed[0])  # another completes a second time
    verdict = ledger.verdict()
    assert verdict.completed_twice == [first.i_of[completed[0]["value"]["processInstanceKey"]]]
    assert verdict.lost == [first.i_of[completed[2]["value"]["processInstanceKey"]]]
    assert verdict.never_started == [3]  # sent, but no PROCESS_INSTANCE_CREATION
    assert not verdict.ok


def test_a_refused_create_is_reported_not_lost() -> None:
    ledger = Ledger(sent_ms={0: 0.0}, refused={0})
    verdict = ledger.verdict()
    assert verdict.refused == [0] and verdict.never_started == [] and verdict.ok


def test_a_series_rising_over_the_second_half_is_not_flat() -> None:
    ts = [float(t) for t in range(0, 600, 10)]
    assert fit_slope(ts, [3 * t + 7 for t in ts]) == pytest.approx(3.0)
    rising = trend("rss_mb", "MB", 10.0, ts, [100 + t / 10 for t in ts])  # +30 MB in 300 s
    assert not rising.flat and rising.slope_per_min == pytest.approx(6.0)
    noisy = trend("rss_mb", "MB", 10.0, ts, [100 + (5 if n % 2 else -5) for n in range(60)])
    assert noisy.flat
    # The first half (warm-up) does not count.
    warming = trend("rss_mb", "MB", 10.0, ts, [min(t, 250.0) for t in ts])
    assert warming.flat and warming.mean == 250.0


def test_trends_are_judged_per_engine_and_written_to_csv(tmp_path: Any) -> None:
    samples = [
        Sample(
            t_s=t,
            created_per_s=100,
            completed_per_s=100,
            p50_ms=900,
            p99_ms=1500,
            open_incidents=20,
            unfinished=150,
            exporter_lag=100,
            driver_lag=10,
            rss_mb={"engine-1": 80.0, "engine-2": 80.0 + t},
            rocksdb_mb={"engine-1": 5.0, "engine-2": 5.0},
        )
        for t in range(0, 600, 10)
    ]
    verdicts = {t.name: t.flat for t in trends(samples)}
    assert verdicts["rss_mb engine-1"] and not verdicts["rss_mb engine-2"]
    assert verdicts["p99_ms"] and verdicts["exporter_lag"]
    write_csv(samples, tmp_path / "samples.csv")
    header, first, *_ = (tmp_path / "samples.csv").read_text().splitlines()
    assert "rss_mb_engine-2" in header.split(",") and first.startswith("0,100")
