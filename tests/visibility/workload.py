"""A known workload for the visibility tests and the benchmark: the in-process engine runs
the one-task process so that some instances complete, some wait at their job, some have an
incident and one is canceled; `records` are the exact JSON records the engine wrote."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clients.client import Client, connect

ONE_TASK = Path(__file__).parents[1] / "engine" / "scenarios" / "one_task.bpmn"


@dataclass
class Workload:
    records: list[dict[str, Any]]
    completed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    with_incident: list[int] = field(default_factory=list)
    canceled: list[int] = field(default_factory=list)
    incident_keys: list[int] = field(default_factory=list)

    @property
    def active(self) -> int:
        return len(self.waiting) + len(self.with_incident)

    def durations(self) -> dict[int, int]:
        """From the audit log itself: end minus start of each completed process instance."""
        start: dict[int, int] = {}
        end: dict[int, int] = {}
        for r in self.records:
            v = r["value"]
            if r["valueType"] != "PROCESS_INSTANCE" or v.get("bpmnElementType") != "PROCESS":
                continue
            if r["intent"] == "ELEMENT_ACTIVATING":
                start[r["key"]] = r["timestamp"]
            elif r["intent"] == "ELEMENT_COMPLETED":
                end[r["key"]] = r["timestamp"]
        return {key: end[key] - start[key] for key in end}

    def encoded(self) -> list[tuple[int, bytes]]:
        """(Kafka partition, record bytes) in log order per partition."""
        return [
            (r["partitionId"] - 1, json.dumps(r, separators=(",", ":")).encode())
            for r in self.records
        ]


def nearest_rank(values: list[int], p: int) -> int:
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered) / 100), 1) - 1]


def build_workload(
    completed: int = 6, waiting: int = 3, incidents: int = 2, canceled: int = 1
) -> Workload:
    with connect("memory://?partitions=2") as client:
        return run_workload(client, completed, waiting, incidents, canceled)


def run_workload(
    client: Client, completed: int = 6, waiting: int = 3, incidents: int = 2, canceled: int = 1
) -> Workload:
    """Instances start one second apart (on two partitions with `memory://?partitions=2`);
    completions are 1-3 seconds apart, so durations differ and percentiles mean something."""
    client.deploy(ONE_TASK)
    total = completed + waiting + incidents + canceled
    keys = []
    for i in range(total):
        keys.append(client.create_instance("one_task", {"n": i, "order": f"o-{i}"}))
        client.advance_time(1)
    jobs = {j.process_instance_key: j.key for j in _all_jobs(client, total)}
    workload = Workload(records=[])
    done, rest = keys[:completed], keys[completed:]
    for k, key in enumerate(done):
        client.advance_time(1 + k % 3)
        client.complete_job(jobs[key], {"paid": True, "step": k})
        workload.completed.append(key)
    workload.waiting = rest[:waiting]
    for key in rest[waiting : waiting + incidents]:
        client.fail_job(jobs[key], 0, f"card declined for {key}")
        workload.with_incident.append(key)
    for key in rest[waiting + incidents :]:
        client.cancel_instance(key)
        workload.canceled.append(key)
    workload.records = client.records()
    workload.incident_keys = [
        r["key"]
        for r in workload.records
        if r["valueType"] == "INCIDENT" and r["intent"] == "CREATED"
    ]
    return workload


def _all_jobs(client: Client, count: int) -> list[Any]:
    jobs: list[Any] = []
    while len(jobs) < count:
        batch = client.activate_jobs("work", max_jobs=count - len(jobs), timeout=600)
        if not batch:
            break
        jobs.extend(batch)
    return jobs
