"""The full record stream of a few scenarios, compared with a committed golden file, so that
work on the engine's speed cannot change what it writes (positions, keys, values, order).

Regenerate only for an intended change of behaviour, and review the diff of the golden file:
    HONEYFLOW_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/engine/test_record_stream_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clients.client import Client
from clients.memory_transport import MemoryTransport
from tests.engine.conftest import scenario

GOLDEN = Path(__file__).parent / "golden" / "record_streams.json"
START_MS = 1_700_000_000_000


def _complete_all(client: Client, job_type: str, variables: dict[str, Any]) -> None:
    for job in client.activate_jobs(job_type, max_jobs=10, timeout=60, worker="golden"):
        client.complete_job(job.key, variables)


def one_task(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task", {"order": {"id": 7}, "total": 12.5})
    _complete_all(client, "work", {"paid": True})


def exclusive_gateway(client: Client) -> None:
    client.deploy(scenario("exclusive.bpmn"))
    for amount in (500, 50, 5):
        client.create_instance("exclusive", {"amount": amount})


def parallel_fork_join(client: Client) -> None:
    client.deploy(scenario("parallel.bpmn"))
    client.create_instance("parallel", {"n": 1})
    _complete_all(client, "b", {"b": "done"})
    _complete_all(client, "a", {"a": [1, 2]})


def embedded_subprocess(client: Client) -> None:
    client.deploy(scenario("subprocess.bpmn"))
    client.create_instance("subprocess", {"x": 1})
    _complete_all(client, "inner", {"y": 2})


def timer_boundary(client: Client) -> None:
    client.deploy(scenario("timer_boundary.bpmn"))
    client.create_instance("timer_boundary")  # times out
    client.advance_time(11)
    client.create_instance("timer_boundary")  # completes in time
    _complete_all(client, "work", {})


def multi_instance_and_call(client: Client) -> None:
    client.deploy(scenario("mi_parallel.bpmn"), scenario("call_parent.bpmn"))
    client.deploy(scenario("call_child.bpmn"))
    client.create_instance("mi_parallel", {"items": [1, 2, 3]})
    for job in client.activate_jobs("each", max_jobs=10, timeout=60, worker="golden"):
        client.complete_job(job.key, {"result": job.key % 7})
    client.create_instance("call_parent", {"v": "x"})
    for job_type in ("child",):
        _complete_all(client, job_type, {"c": 1})


def business_rule_task(client: Client) -> None:
    client.deploy(scenario("business_rule_task.bpmn"), scenario("discount.dmn"))
    client.deploy(scenario("rank_unique.bpmn"), scenario("rank_unique.dmn"))
    client.create_instance("business_rule_task", {"amount": 1500})  # with a required decision
    key = client.create_instance("rank_unique", {"x": 12})  # three rules of a UNIQUE table
    [incident] = [r for r in client.records() if r["valueType"] == "INCIDENT"]
    client.set_variables(key, {"x": 3})
    client.resolve_incident(incident["key"])
    client.evaluate_decision("discount", {"amount": 10})


SCENARIOS: dict[str, Callable[[Client], None]] = {
    "one_task": one_task,
    "exclusive_gateway": exclusive_gateway,
    "parallel_fork_join": parallel_fork_join,
    "embedded_subprocess": embedded_subprocess,
    "timer_boundary": timer_boundary,
    "multi_instance_and_call": multi_instance_and_call,
    "business_rule_task": business_rule_task,
}


def _stream(name: str, partitions: int) -> list[dict[str, Any]]:
    client = Client(MemoryTransport(partitions, start_ms=START_MS))
    SCENARIOS[name](client)
    # Through JSON text, as the records leave the engine (and as the golden file holds them).
    records: list[dict[str, Any]] = json.loads(json.dumps(client.records()))
    for record in records:
        # The BPMN files, base64, again in every deployment record: their digest keeps the
        # golden file small and still tells any change.
        for resource in record["value"].get("resources", ()):
            digest = hashlib.sha256(resource["resource"].encode()).hexdigest()
            resource["resource"] = f"sha256:{digest}"
    return records


def _streams() -> dict[str, list[dict[str, Any]]]:
    return {
        f"{name}/{partitions}": _stream(name, partitions)
        for name in SCENARIOS
        for partitions in (1, 3)
    }


def test_regenerate_golden_file_on_request() -> None:
    if not os.environ.get("HONEYFLOW_REGENERATE_GOLDEN"):
        pytest.skip("set HONEYFLOW_REGENERATE_GOLDEN=1 to rewrite the golden file")
    GOLDEN.parent.mkdir(exist_ok=True)
    # One record per line: small enough to commit, and a drift shows as a readable diff.
    lines = []
    for name, records in _streams().items():
        lines.append(f"{json.dumps(name)}: [")
        lines.append(",\n".join(json.dumps(r, sort_keys=True) for r in records))
        lines.append("],")
    GOLDEN.write_text("{\n" + "\n".join(lines).rstrip(",") + "\n}\n")


@pytest.mark.parametrize("partitions", [1, 3])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_record_stream_is_unchanged(name: str, partitions: int) -> None:
    golden = json.loads(GOLDEN.read_text())[f"{name}/{partitions}"]
    assert _stream(name, partitions) == golden
