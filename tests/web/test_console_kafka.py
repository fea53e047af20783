"""The operator's console end to end on Kafka: two `honeyflow engine` processes, `honeyflow
exporter` filling a SQLite store, the web app acting through a kafka:// client, driven in
headless Chromium by the script of the in-process test (tests/web/console.mjs): the
time-travel slider over the audit log read from Kafka, a variable set, a token moved by
clicking the diagram, an instance migrated to a second version, an instance cancelled; the
start page's engine partitions and their owners; `honeyflow replay KEY`, `honeyflow batch
resolve` and `honeyflow batch migrate` (many instances, filtered by a variable) on the same
cluster."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from clients.client import Client, connect
from clients.cluster_topology import read_topology
from clients.instance_history import instance_history
from clients.testing import instance_view
from clients.web.app import create_app
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.web.kafka_stack import HONEYFLOW, engines_and_exporter
from tests.web.server_thread import serving
from tests.web.test_browser import CHROMIUM, ORDER_ELEMENTS, _missing
from tests.web.test_console_browser import SCRIPT
from tests.web.web_workload import ORDER

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]

DEADLINE = 60.0


def _jobs(client: Client, job_type: str, instances: list[int]) -> dict[int, int]:
    """Job key by instance, once each instance's job of `job_type` is activated."""
    found: dict[int, int] = {}
    deadline = time.monotonic() + DEADLINE
    while not all(i in found for i in instances):
        assert time.monotonic() < deadline, f"{job_type} jobs: {found} of {instances}"
        for job in client.activate_jobs(job_type, max_jobs=10, timeout=600, wait=1):
            found[job.process_instance_key] = job.key
    return found


def _in_store(store: str, keys: list[int], waiting_at: dict[int, str]) -> None:
    """Until the exporter has each instance waiting where the test left it."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            with open_store(store, create=False) as opened:
                details = [Queries(opened).instance(k) for k in keys]
            if all(
                [e.element_id for e in d.waiting_at]
                == [waiting_at[d.instance.process_instance_key]]
                for d in details
            ):
                return
        except Exception:  # not there yet
            pass
        time.sleep(0.3)
    raise AssertionError(f"instances {keys} not in the store after {DEADLINE}s")


def _definition_in_store(store: str, key: int) -> None:
    """Until the exporter has the process definition `key` (the migrate form lists versions)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            with open_store(store, create=False) as opened:
                if any(d.process_definition_key == key for d in Queries(opened).definitions()):
                    return
        except Exception:  # not there yet
            pass
        time.sleep(0.3)
    raise AssertionError(f"process definition {key} not in the store after {DEADLINE}s")


def test_console_on_kafka(
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if _missing() and not os.environ.get("CI"):
        pytest.skip(str(_missing()))
    with engines_and_exporter(kafka_bootstrap, unique_name, tmp_path) as stack:
        url, store, topics = stack.url, stack.store, stack.topics
        with connect(url) as client:
            client.deploy(ORDER)
            stuck, fixed, waiting = (
                client.create_instance("order", {"orderId": i, "inStock": True}) for i in range(3)
            )
            for job in _jobs(client, "payment", [stuck, fixed, waiting]).values():
                client.complete_job(job, {"paymentId": "p-1"})
            for key, job in _jobs(client, "inventory", [stuck, fixed, waiting]).items():
                if key != waiting:
                    client.complete_job(job, {"reservationId": "r-1"})
            for job in _jobs(client, "shipping", [stuck, fixed]).values():
                client.fail_job(job, 0, "carrier refused: no address")
            steps = instance_history(client.records(), stuck)
            # A second version to migrate the fixed instance to.
            v2 = tmp_path / "order-v2.bpmn"
            v2.write_text(ORDER.read_text().replace('name="Ship order"', 'name="Ship order (v2)"'))
            target = client.deploy(v2).processes[0].process_definition_key
        _in_store(
            store, [stuck, fixed, waiting], {stuck: "ship", fixed: "ship", waiting: "reserve"}
        )
        _definition_in_store(store, target)
        charge = next(
            s.index for s in steps if (s.element_id, s.intent) == ("charge", "ELEMENT_ACTIVATED")
        )

        replayed = subprocess.run(
            [HONEYFLOW, "replay", str(stuck), "--address", kafka_bootstrap, "--prefix",
             topics.prefix, "--json"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert replayed.returncode == 0, replayed.stderr
        replay_steps: list[dict[str, Any]] = json.loads(replayed.stdout)
        assert len(replay_steps) == len(steps)
        assert [i["elementId"] for i in replay_steps[-1]["after"]["incidents"]] == ["ship"]

        app = create_app(
            open_store(store, create=False),
            client_factory=lambda: connect(url),
            topology=lambda: read_topology(
                {"bootstrap.servers": kafka_bootstrap}, kafka_bootstrap, topics.prefix
            ),
        )
        with serving(app) as base:
            start = urllib.request.urlopen(base + "/").read().decode()
            assert "engine group STABLE with 2 engines" in start, start
            partitions = start.split('<table class="partitions">')[1].split("</table>")[0]
            assert partitions.count("<tr><td>") == 2 and ">none<" not in partitions
            args = {
                "base": base,
                "npmDir": str(Path(__file__).parents[2] / "web"),
                "chromium": str(CHROMIUM),
                "userDataDir": str(tmp_path_factory.mktemp("chromium-profile")),
                "screenshots": "",
                "elements": ORDER_ELEMENTS,
                "travelInstance": str(stuck),
                "chargeStep": charge,
                "variablesInstance": str(fixed),
                "modifyInstance": str(waiting),
                "migrateInstance": str(fixed),
                "migrateTarget": str(target),
            }
            done = subprocess.run(
                ["node", str(SCRIPT), json.dumps(args)],
                capture_output=True, text=True, timeout=240, check=False,
            )  # fmt: skip
        print(done.stderr)
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["errors"] == [] and result["foreignRequests"] == []
        travel = result["travel"]
        assert travel["max"] == str(len(steps) - 1)
        assert travel["last"]["elements"]["ship"]["markers"] == ["hf-active", "hf-incident"]
        assert travel["atCharge"]["elements"]["charge"]["markers"] == ["hf-active"]
        assert travel["atCharge"]["elements"]["ship"]["markers"] == []
        assert result["variables"]["records"][0][4:6] == ["VARIABLE", "CREATED"]
        assert result["modifyPicked"] == {"activate": "ship", "terminate": ["reserve"]}
        moved = [(r[5], r[6]) for r in result["modify"]["records"]]
        assert ("ELEMENT_TERMINATED", "reserve") in moved and ("ELEMENT_ACTIVATED", "ship") in moved
        assert result["migrateMapping"] == [["map.ship", "ship"]]
        migrated = {(r[4], r[5], r[6]) for r in result["migrate"]["records"]}
        assert ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "ship") in migrated
        assert ("INCIDENT", "MIGRATED", "ship") in migrated
        assert "terminated" in result["cancel"]["state"]
        # Resolve-many from the shell: the incident left at "ship"; a progress file makes a
        # second run skip what the first did, whether or not the exporter has caught up.
        progress = tmp_path / "batch.jsonl"
        command = [HONEYFLOW, "batch", "resolve", "--process", "order", "--element", "ship",
                   "--store", store, "--address", kafka_bootstrap, "--prefix", topics.prefix,
                   "--progress", str(progress)]  # fmt: skip
        first = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "1 done, 0 refused" in first.stdout
        assert [json.loads(x)["outcome"] for x in progress.read_text().splitlines()] == ["done"]
        again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 0 and "0 done, 0 refused" in again.stdout, again.stdout
        with connect(url) as client:
            records = client.records()
        assert not instance_view(records, fixed).open_incidents
        assert instance_view(records, stuck).state == "ELEMENT_TERMINATED"
        assert instance_view(records, fixed).variables["shippingAddress"] == "1 Main St"
        assert instance_view(records, waiting).waiting_at == ["ship"]
        # Migrate-many from the shell: the instance the console moved to "ship" (orderId 2),
        # to the second version; a second run with the progress file sends nothing.
        _in_store(store, [waiting], {waiting: "ship"})
        progress = tmp_path / "migrate.jsonl"
        command = [HONEYFLOW, "batch", "migrate", "--process", "order", "--element", "ship",
                   "--variable", "orderId=2", "--target", str(target), "--map", "ship:ship",
                   "--store", store, "--address", kafka_bootstrap, "--prefix", topics.prefix,
                   "--progress", str(progress)]  # fmt: skip
        first = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert first.returncode == 0, first.stdout + first.stderr
        assert f"{waiting}: done" in first.stdout and "1 done, 0 refused" in first.stdout
        assert [json.loads(x) for x in progress.read_text().splitlines()] == [
            {"key": waiting, "outcome": "done"}
        ]
        again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert again.returncode == 0 and "0 done, 0 refused" in again.stdout, again.stdout
        with connect(url) as client:
            migrated_records = [
                r for r in client.records()
                if r["intent"] == "ELEMENT_MIGRATED"
                and r["value"].get("processInstanceKey") == waiting
            ]  # fmt: skip
        assert {r["value"]["processDefinitionKey"] for r in migrated_records} == {target}
