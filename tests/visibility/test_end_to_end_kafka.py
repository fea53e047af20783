"""The whole visibility path on a real Kafka: two `honeyflow engine` processors, a workload
made with the Python client on `kafka://`, `honeyflow exporter` (a process) filling a SQLite
store, and `honeyflow status|incidents|incident resolve` reading it and acting on the engine.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from broker.topics import TopicSettings, ensure_topics
from clients.cli.main import cli
from clients.client import Client, connect
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_transport import KafkaTransport
from clients.results import ActivatedJob

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
ONE_TASK = ROOT / "tests/engine/scenarios/one_task.bpmn"
HONEYFLOW = str(Path(sys.executable).parent / "honeyflow")
PARTITIONS = 2
INSTANCES = 6
COMPLETED = 2  # jobs completed, so their instances complete
# One more job fails with retries=0 (a JOB_NO_RETRIES incident); the rest wait at the task.
DEADLINE = 60.0


def _cli(*args: str) -> Any:
    out = CliRunner().invoke(cli, list(args))
    assert out.exit_code == 0, (args, out.output, out.exception)
    return out


def _counts(row: dict[str, Any] | None) -> dict[str, int] | None:
    if row is None:
        return None
    return {k: row[k] for k in ("active", "completed", "canceled", "incidents")}


def _wait_for_status(store: str, expected: dict[str, int]) -> None:
    """Polls `honeyflow status` until the counts are `expected` (a wait, not a timed
    assert: the final comparison shows what the store held)."""
    deadline = time.monotonic() + DEADLINE
    seen: dict[str, int] | None = None
    while time.monotonic() < deadline:
        out = CliRunner().invoke(cli, ["status", "--json", "--store", store])
        if out.exit_code == 0:  # else no store (or no schema) yet: the exporter is starting
            rows = json.loads(out.stdout)
            seen = _counts(next((r for r in rows if r["bpmnProcessId"] == "one_task"), None))
            if seen == expected:
                return
        time.sleep(0.3)
    assert seen == expected


def _activate(
    client: Client, wanted: int | None = None, job_key: int | None = None
) -> list[ActivatedJob]:
    """Activates `wanted` jobs of type `work`, or until the job `job_key` is among them."""
    jobs: list[ActivatedJob] = []
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if wanted is not None and len(jobs) >= wanted:
            return jobs
        if job_key is not None and any(j.key == job_key for j in jobs):
            return jobs
        jobs.extend(
            client.activate_jobs(
                "work", max_jobs=(wanted - len(jobs)) if wanted else 1, timeout=300
            )
        )
        time.sleep(0.1)
    raise AssertionError(f"activated only {[j.key for j in jobs]}")


def _engine_logs(engines: EngineProcesses) -> str:
    return engines.output()[-4000:]


def test_workload_through_engines_exporter_and_cli(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=f"{unique_name}.", partitions=PARTITIONS)
    ensure_topics({"bootstrap.servers": kafka_bootstrap}, topics.core_topics())
    url = f"kafka://{kafka_bootstrap}?prefix={topics.prefix}"
    store = str(tmp_path / "visibility.db")
    engines = EngineProcesses(
        {"bootstrap.servers": kafka_bootstrap}, topics, tmp_path / "engines", 2
    )
    exporter: subprocess.Popen[bytes] | None = None
    exporter_log = tmp_path / "exporter.log"
    try:
        engines.wait_until_serving()
        with connect(url) as client:
            client.deploy(ONE_TASK)
            cast(KafkaTransport, client.transport).settle()  # deployed on every partition
            instances = [client.create_instance("one_task") for _ in range(INSTANCES)]
            assert len(set(instances)) == INSTANCES

            jobs = _activate(client, wanted=COMPLETED + 1)
            *done, failing = jobs[: COMPLETED + 1]
            for job in done:
                client.complete_job(job.key, {"done": True})
            client.fail_job(failing.key, retries=0, error_message="boom")

            with exporter_log.open("wb") as log:
                exporter = subprocess.Popen(
                    [
                        HONEYFLOW,
                        "exporter",
                        "--bootstrap",
                        kafka_bootstrap,
                        "--prefix",
                        topics.prefix,
                        "--store",
                        store,
                    ],
                    cwd=tmp_path,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            waiting = INSTANCES - COMPLETED - 1
            _wait_for_status(
                store,
                {"active": waiting + 1, "completed": COMPLETED, "canceled": 0, "incidents": 1},
            )
            [incident] = json.loads(_cli("incidents", "--json", "--store", store).stdout)
            assert incident["errorType"] == "JOB_NO_RETRIES"
            assert incident["processInstanceKey"] == failing.process_instance_key
            assert incident["jobKey"] == failing.key
            assert "boom" in incident["errorMessage"]

            resolved = _cli(
                "incident",
                "resolve",
                str(incident["incidentKey"]),
                "--retries",
                "1",
                "--url",
                url,
                "--store",
                store,
            )
            assert f"incident {incident['incidentKey']} resolved" in resolved.output
            retried = _activate(client, job_key=failing.key)
            client.complete_job(failing.key, {"done": True})
            assert [j.retries for j in retried if j.key == failing.key] == [1]

            _wait_for_status(
                store,
                {"active": waiting, "completed": COMPLETED + 1, "canceled": 0, "incidents": 0},
            )
            detail = json.loads(
                _cli(
                    "instance", str(failing.process_instance_key), "--json", "--store", store
                ).stdout
            )
            assert detail["instance"]["state"] == "COMPLETED"
            assert json.loads(_cli("incidents", "--json", "--store", store).stdout) == []
            [closed] = json.loads(
                _cli("incidents", "--state", "resolved", "--json", "--store", store).stdout
            )
            assert closed["incidentKey"] == incident["incidentKey"]
    except BaseException:
        print(_engine_logs(engines))
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
