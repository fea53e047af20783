"""The exporter on a real Kafka: the workload's records on a `<prefix>events` topic of two
partitions, read by `Exporter` (in a thread) and by `honeyflow exporter` (a process that is
SIGKILLed and restarted); what `honeyflow status` then prints is checked exactly."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from clients.cli.main import cli
from processors.exporter.exporter import Exporter, ExporterSettings
from processors.exporter.store import open_store
from tests.visibility.kafka_helpers import create_topics, produce, wait_until_exported
from tests.visibility.workload import Workload, build_workload, nearest_rank

pytestmark = pytest.mark.kafka
HONEYFLOW = str(Path(sys.executable).parent / "honeyflow")


@pytest.fixture(scope="module")
def workload() -> Workload:
    return build_workload(completed=8, waiting=3, incidents=2, canceled=1)


def _status(store_url: str) -> list[dict[str, object]]:
    out = CliRunner().invoke(cli, ["status", "--json", "--store", store_url])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _expected_status(workload: Workload) -> dict[str, object]:
    durations = list(workload.durations().values())
    return {
        "bpmnProcessId": "one_task",
        "version": 1,
        "active": workload.active,
        "completed": len(workload.completed),
        "canceled": len(workload.canceled),
        "incidents": len(workload.with_incident),
        "durationMeanMs": sum(durations) / len(durations),
        "durationP50Ms": nearest_rank(durations, 50),
        "durationP95Ms": nearest_rank(durations, 95),
    }


@pytest.fixture
def exporter_thread(
    kafka_bootstrap: str, unique_name: str, store_url: str
) -> Iterator[tuple[str, str]]:
    """(events topic, store URL) with an Exporter running on it in a thread."""
    topics = create_topics(kafka_bootstrap, unique_name + ".")
    settings = ExporterSettings(
        client_config={"bootstrap.servers": kafka_bootstrap},
        topic=topics.events,
        store_url=store_url,
        ends_interval_seconds=0.3,
    )
    exporter = Exporter(settings)
    stop = threading.Event()
    thread = threading.Thread(target=exporter.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield topics.events, store_url
    finally:
        stop.set()
        thread.join(30)
        exporter.close()


def test_status_shows_the_workload_exactly(
    exporter_thread: tuple[str, str], kafka_bootstrap: str, workload: Workload
) -> None:
    topic, store_url = exporter_thread
    produce(kafka_bootstrap, topic, workload.records)
    wait_until_exported(store_url, workload.records)
    [row] = _status(store_url)
    assert {k: row[k] for k in _expected_status(workload)} == _expected_status(workload)
    out = CliRunner().invoke(cli, ["incidents", "--json", "--store", store_url])
    assert sorted(i["incidentKey"] for i in json.loads(out.stdout)) == sorted(
        workload.incident_keys
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(bootstrap: str, prefix: str, store: str, port: int, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            HONEYFLOW,
            "exporter",
            "--bootstrap",
            bootstrap,
            "--prefix",
            prefix,
            "--store",
            store,
            "--metrics-port",
            str(port),
        ],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _metric(port: int, name: str) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_killed_and_restarted_exporter_counts_nothing_twice(
    kafka_bootstrap: str, unique_name: str, workload: Workload, tmp_path: Path
) -> None:
    prefix = unique_name + "."
    topics = create_topics(kafka_bootstrap, prefix)
    store = str(tmp_path / "visibility.db")
    half = len(workload.records) // 2
    first, second = workload.records[:half], workload.records[half:]
    produce(kafka_bootstrap, topics.events, first)
    port = _free_port()
    process = _start(kafka_bootstrap, prefix, store, port, tmp_path)
    try:
        wait_until_exported(store, first)
        assert _metric(port, "honeyflow_exporter_records_total") == len(first)
        assert _metric(port, 'honeyflow_instances{bpmn_process_id="one_task",state="ACTIVE"}') > 0
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    produce(kafka_bootstrap, topics.events, second)
    # As if the resume offsets were lost too: the restarted exporter reads partition 1 again
    # from its start, and only the stored positions keep it from applying anything twice.
    with open_store(store) as s, s.transaction() as tx:
        tx.execute("UPDATE exporter_positions SET next_offset = 0 WHERE partition_id = 1")
    process = _start(kafka_bootstrap, prefix, store, port, tmp_path)
    try:
        wait_until_exported(store, workload.records)
        assert _metric(port, "honeyflow_exporter_records_total") == len(second)
        assert _metric(port, "honeyflow_incidents_open") == len(workload.with_incident)
        assert _metric(port, "honeyflow_exporter_lag_records") == 0
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, process.stdout.read() if process.stdout else ""
    [row] = _status(store)
    assert {k: row[k] for k in _expected_status(workload)} == _expected_status(workload)
