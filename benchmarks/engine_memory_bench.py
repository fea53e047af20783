"""Engine throughput in process: `make bench-engine` (`python benchmarks/engine_memory_bench.py`).

Honeyflow's engine core (one partition, every record of the audit log kept in a list) and
SpiffWorkflow run the same three processes in the same run: (a) one task, (b) ten tasks in
sequence, (c) a parallel fan-out of ten tasks. A Honeyflow task is a service task whose job a
worker activates and completes (JOB_BATCH ACTIVATE, JOB COMPLETE); a SpiffWorkflow task is a
user task the caller completes (`task.run()`). Rows (a) to (c) drive the engine core
(`Engine.process`); rows (a') and (b') run (a) and (b) through the public client API on
`memory://` (`create_instance`, `activate_jobs`, `complete_job`: argument checks, the
in-process runtime and its log of every record included), as a user of the library would.
Also the state one instance waiting at one task takes. Each figure is the best of `--rounds`
rounds. With `--waiting N` both engines first start N instances that stay waiting at their
task (Honeyflow's worker then completes the oldest jobs, so N stay waiting): the cost of a
busy partition's state. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from broker.protocol import Record
from broker.protocol.intents import JobIntent
from clients.client import Client
from clients.commands import activate_command, create_command, deploy_command, job_command
from clients.memory_transport import MemoryTransport
from processors.engine import Engine

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions'
    ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="bench">'
    '<bpmn:process id="bench" isExecutable="true">'
)
_TAIL = "</bpmn:process></bpmn:definitions>"


def _task(task_id: str, spiff: bool) -> str:
    if spiff:
        return f'<bpmn:userTask id="{task_id}" />'
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>'
    )


def _flow(flow_id: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'


def bpmn(tasks: int, parallel: bool, spiff: bool) -> bytes:
    """start → task(s) → end; in sequence, or between a parallel fork and join."""
    parts = [_HEAD, '<bpmn:startEvent id="start" />', '<bpmn:endEvent id="end" />']
    ids = [f"t{i}" for i in range(tasks)]
    parts += [_task(i, spiff) for i in ids]
    if parallel:
        parts += ['<bpmn:parallelGateway id="fork" />', '<bpmn:parallelGateway id="join" />']
        parts += [_flow("f_start", "start", "fork"), _flow("f_end", "join", "end")]
        for i in ids:
            parts += [_flow(f"in_{i}", "fork", i), _flow(f"out_{i}", i, "join")]
    else:
        chain = ["start", *ids, "end"]
        parts += [_flow(f"f{n}", a, b) for n, (a, b) in enumerate(itertools.pairwise(chain))]
    parts.append(_TAIL)
    return "".join(parts).encode()


class HoneyflowRun:
    """The engine core with an in-memory log, driven as a client and a worker would."""

    def __init__(self, xml: bytes, waiting: int = 0) -> None:
        self.engine = Engine(1, 1)
        self.log: list[Record[Any]] = []
        self.now_ms = 1_700_000_000_000
        self._answer(deploy_command((xml,)))
        for _ in range(waiting):
            self._answer(create_command("bench", {"order": 1}, None, False))

    @property
    def records(self) -> int:
        return len(self.log)

    def _answer(self, command: Record[Any]) -> Record[Any]:
        result = self.engine.process(command, self.now_ms, request_id=1)
        self.log.extend(result.records)
        return result.responses[1]

    def instance(self, tasks: int) -> None:
        self._answer(create_command("bench", {"order": 1}, None, False))
        done = 0
        while done < tasks:
            batch = self._answer(activate_command("work", tasks, 60, "bench")).value
            for key in batch.job_keys:
                self._answer(job_command(JobIntent.COMPLETE, key, variables={"ok": True}))
            done += len(batch.job_keys)


class ClientRun:
    """The same through the public client API on `memory://` (the in-process runtime keeps
    every record, as `HoneyflowRun` does)."""

    def __init__(self, xml: bytes, waiting: int = 0) -> None:
        self.transport = MemoryTransport()
        self.client = Client(self.transport)  # what connect("memory://") returns
        self.client.deploy(xml)
        for _ in range(waiting):
            self.client.create_instance("bench", {"order": 1})

    @property
    def records(self) -> int:
        return sum(len(log) for log in self.transport.runtime.logs.values())

    def instance(self, tasks: int) -> None:
        client = self.client
        client.create_instance("bench", {"order": 1})
        done = 0
        while done < tasks:
            jobs = client.activate_jobs("work", max_jobs=tasks, timeout=60, worker="bench")
            for job in jobs:
                client.complete_job(job.key, {"ok": True})
            done += len(jobs)


class SpiffRun:
    def __init__(self, xml: bytes, waiting: int = 0) -> None:
        from lxml import etree
        from SpiffWorkflow.bpmn.parser import BpmnParser  # type: ignore[import-untyped]
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # type: ignore[import-untyped]
        from SpiffWorkflow.util.task import TaskState  # type: ignore[import-untyped]

        parser = BpmnParser()
        parser.add_bpmn_xml(etree.fromstring(xml), filename="bench.bpmn")
        self.spec = parser.get_spec("bench")
        self._workflow = BpmnWorkflow
        self._ready = TaskState.READY
        self.waiting = [self.start() for _ in range(waiting)]

    def start(self) -> Any:
        workflow = self._workflow(self.spec)
        workflow.data["order"] = 1
        workflow.do_engine_steps()
        return workflow

    def instance(self, tasks: int) -> None:
        workflow = self.start()
        while not workflow.is_completed():
            for task in workflow.get_tasks(state=self._ready, manual=True):
                task.set_data(ok=True)
                task.run()
            workflow.do_engine_steps()


def _timed(run: Callable[[], None], instances: int) -> float:
    """CPU seconds of this process (steadier than wall time on a shared machine; the same
    for a single-threaded run on an idle one)."""
    started = time.process_time()
    for _ in range(instances):
        run()
    return time.process_time() - started


WORKLOADS = (
    ("(a) one task", 1, False, False),
    ("(b) 10 in sequence", 10, False, False),
    ("(c) fan-out of 10", 10, True, False),
    ("(a') one, client API", 1, False, True),
    ("(b') 10, client API", 10, False, True),
)


def throughput(
    instances: int, rounds: int, waiting: int = 0
) -> list[tuple[str, float, float, float]]:
    """Per workload: Honeyflow instances/s, records/s, SpiffWorkflow instances/s; the two
    engines take turns, so a busy machine slows both alike."""
    rows = []
    for name, tasks, parallel, through_client in WORKLOADS:
        xml = bpmn(tasks, parallel, spiff=False)
        honey: HoneyflowRun | ClientRun = (
            ClientRun(xml, waiting) if through_client else HoneyflowRun(xml, waiting)
        )
        spiff = SpiffRun(bpmn(tasks, parallel, spiff=True), waiting)
        _timed(partial(honey.instance, tasks), max(1, instances // 10))  # warm-up
        _timed(partial(spiff.instance, tasks), max(1, instances // 10))
        honey_best = spiff_best = float("inf")
        records = 0
        for _ in range(rounds):
            before = honey.records
            seconds = _timed(partial(honey.instance, tasks), instances)
            if seconds < honey_best:
                honey_best, records = seconds, honey.records - before
            spiff_best = min(spiff_best, _timed(partial(spiff.instance, tasks), instances))
        rows.append((name, instances / honey_best, records / honey_best, instances / spiff_best))
    return rows


def _size(entries: dict[str, dict[bytes, Any]]) -> int:
    return sum(
        len(key) + len(json.dumps(value, separators=(",", ":")))
        for family in entries.values()
        for key, value in family.items()
    )


def waiting_bytes(instances: int) -> tuple[float, float]:
    """Bytes of state per instance waiting at one task: Honeyflow's KV store dump (keys and
    JSON values), SpiffWorkflow's serialized workflow without its spec."""
    honey = HoneyflowRun(bpmn(1, False, spiff=False))
    before = _size(honey.engine.state.store.dump())
    for _ in range(instances):
        honey._answer(create_command("bench", {"order": 1}, None, False))
    honey_bytes = (_size(honey.engine.state.store.dump()) - before) / instances
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # type: ignore[import-untyped]

    serializer = BpmnWorkflowSerializer()
    spiff = SpiffRun(bpmn(1, False, spiff=True))
    state = serializer.to_dict(spiff.start())
    for part in ("spec", "subprocess_specs"):
        state.pop(part, None)
    return honey_bytes, float(len(json.dumps(state, separators=(",", ":"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=500, help="instances per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per workload (best kept)")
    parser.add_argument(
        "--waiting", type=int, default=0, help="instances left waiting at their task first"
    )
    args = parser.parse_args()
    from importlib.metadata import version

    print(
        f"SpiffWorkflow {version('SpiffWorkflow')}; best of {args.rounds} rounds of"
        f" {args.instances} instances; CPU time; {args.waiting} instances waiting"
    )
    print(
        f"{'workload':<22}{'Honeyflow inst/s':>18}{'records/s':>12}{'Spiff inst/s':>14}{'ratio':>8}"
    )
    for name, honey, records, spiff in throughput(args.instances, args.rounds, args.waiting):
        print(f"{name:<22}{honey:>18,.0f}{records:>12,.0f}{spiff:>14,.0f}{honey / spiff:>7.1f}x")
    honey_bytes, spiff_bytes = waiting_bytes(args.instances)
    print(
        f"state per instance waiting at one task: Honeyflow {honey_bytes:,.0f} B"
        f" (KV store dump), SpiffWorkflow {spiff_bytes:,.0f} B (serialized, without spec)"
    )


if __name__ == "__main__":
    main()
