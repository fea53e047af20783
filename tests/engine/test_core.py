"""The engine core itself: no I/O in its imports, replay rebuilds state exactly, defects
become PROCESSING_ERROR rejections without partial results."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from broker.protocol import Record
from broker.protocol.intents import DeploymentIntent, ProcessInstanceCreationIntent
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    ProcessInstanceCreationRecordValue,
)
from clients.client import connect
from processors.engine import Engine
from tests.engine.conftest import scenario

CORE = Path(__file__).parents[2] / "processors" / "engine"
FORBIDDEN = {
    "asyncio",
    "faust",
    "aiokafka",
    "confluent_kafka",
    "kafka",
    "time",
    "random",
    "socket",
    "threading",
    "subprocess",
    "os",
    "io",
    "datetime.datetime.now",
    "uuid",
    "secrets",
    "rocksdict",
    "mode",
    "broker.kafka_cluster",
    "clients",
    "urllib",
    "http",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_nothing_with_io(path: Path) -> None:
    for name in _imports(path):
        root = name.split(".")[0]
        assert root not in FORBIDDEN and name not in FORBIDDEN, f"{path.name} imports {name}"
        if root == "broker":
            assert name.startswith("broker.protocol"), f"{path.name} imports {name}"
        if root == "processors":
            assert name.startswith("processors.engine"), f"{path.name} imports {name}"


def _drive_mixed_workload() -> object:
    client = connect("memory://")
    for name in ("one_task", "parallel", "mappings", "exclusive_no_default", "subprocess"):
        client.deploy(scenario(f"{name}.bpmn"))
    client.create_instance("one_task", {"n": 1})
    done = client.create_instance("one_task", {"n": 2})
    client.create_instance("parallel")
    client.create_instance("mappings", {"order": {"total": 3}})
    client.create_instance("exclusive_no_default", {})
    client.create_instance("subprocess")
    jobs = client.activate_jobs("work", max_jobs=5, timeout=10)
    client.complete_job(next(j.key for j in jobs if j.process_instance_key == done), {"r": 1})
    other = next(j for j in jobs if j.process_instance_key != done)
    client.fail_job(other.key, 0, "boom")
    [a] = client.activate_jobs("a", max_jobs=1, timeout=10)
    client.fail_job(a.key, 2, "later", retry_backoff=5)
    client.activate_jobs("b", max_jobs=1, timeout=1)
    # call activities inside a multi-instance body, and a multi-instance task half done
    client.deploy(
        scenario("call_child.bpmn"), scenario("mi_call.bpmn"), scenario("mi_parallel.bpmn")
    )
    client.create_instance("mi_call", {"items": [1, 2, 3]})
    client.create_instance("mi_parallel", {"items": ["x", "y"]})
    child_job = client.activate_jobs("child", max_jobs=1, timeout=60)[0]
    client.complete_job(child_job.key, {"y": 1})
    each_job = client.activate_jobs("each", max_jobs=1, timeout=60)[0]
    client.complete_job(each_job.key, {"result": "r"})
    # timers: a start timer cycle, boundary timers (one fired, one waiting), a repeating
    # non-interrupting boundary, timer event subprocesses, an event-based gateway
    client.deploy(
        scenario("timer_start.bpmn"),
        scenario("timer_boundary.bpmn"),
        scenario("timer_boundary_cycle.bpmn"),
        scenario("timer_event_subprocess.bpmn"),
        scenario("event_gateway.bpmn"),
    )
    client.create_instance("timer_boundary")
    client.create_instance("timer_boundary_cycle")
    client.create_instance("timer_event_subprocess")
    client.create_instance("event_gateway", {"soon": "PT1S"})
    client.advance_time(11)
    client.create_instance("timer_boundary")
    # messages: a waiting subscription, a correlated one, buffered messages, a start lock
    client.deploy(
        scenario("message_catch.bpmn"),
        scenario("message_boundary.bpmn"),
        scenario("message_start.bpmn"),
    )
    client.create_instance("message_catch", {"order": {"id": "m-1"}})
    client.create_instance("message_boundary", {"orderId": "m-2"})
    client.publish_message("remind", "m-2", {"r": 1})
    client.publish_message("payment-received", "m-3", ttl=60, message_id="id-1")
    client.publish_message("order-placed", "c-1", {"n": 1}, ttl=60)
    client.publish_message("order-placed", "c-1", {"n": 2}, ttl=60)
    # signals and escalations: start subscriptions, a waiting catch event, a non-interrupting
    # boundary event fired, an instance started by a signal, an escalation caught
    client.deploy(
        scenario("signal_start.bpmn"),
        scenario("signal_catch.bpmn"),
        scenario("signal_boundary.bpmn"),
        scenario("escalation_boundary.bpmn"),
    )
    client.create_instance("signal_catch", {"batch": "w"})
    client.create_instance("signal_boundary")
    client.broadcast_signal("ping", {"p": 1})
    client.broadcast_signal("start-batch", {"n": 1})
    client.create_instance("escalation_boundary", {"code": "LOW"})
    client.advance_time(2)
    return client


def test_replaying_the_log_rebuilds_the_state_exactly() -> None:
    client = _drive_mixed_workload()
    runtime = client.transport.runtime  # type: ignore[attr-defined]
    live = runtime.engines[1]
    replayed = Engine(1, 1)
    replayed.replay(runtime.logs[1])
    assert replayed.state.store.dump() == live.state.store.dump()
    # and the replayed engine carries on exactly as the live one would
    a = live.due_commands(runtime.now_ms + 10_000)
    b = replayed.due_commands(runtime.now_ms + 10_000)
    assert [r.key for r in a] == [r.key for r in b] and a


def _deploy(engine: Engine, xml: bytes) -> None:
    value = DeploymentRecordValue(resources=(DeploymentResource("p.bpmn", xml),))
    engine.process(Record.command(DeploymentIntent.CREATE, value), 0)


def test_a_defect_becomes_a_processing_error_and_leaves_no_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = Engine()
    _deploy(engine, scenario("one_task.bpmn").read_bytes())
    before = engine.state.store.dump()
    from processors.engine.bpmn import task_processors

    def broken(self: object, call: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(task_processors.TaskProcessor, "on_activate", broken)
    command = Record.command(
        ProcessInstanceCreationIntent.CREATE,
        ProcessInstanceCreationRecordValue(bpmn_process_id="one_task"),
    )
    result = engine.process(command, 5, request_id=7)
    rejections = [r for r in result.records if r.is_rejection]
    assert [r.rejection_type.value for r in rejections] == ["PROCESSING_ERROR"]
    assert "kaputt" in rejections[0].rejection_reason
    # the follow-up that failed (task activation) left nothing; earlier commands stand
    assert not any(
        r.is_event and getattr(r.value, "element_id", "") == "task" for r in result.records
    )
    assert engine.state.store.dump() != before  # the instance itself was created
    positions = [r.position for r in result.records]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_unknown_command_is_rejected_not_raised() -> None:
    from broker.protocol.intents import ProcessInstanceIntent
    from broker.protocol.values import ProcessInstanceRecordValue

    engine = Engine()  # suspending instances is not supported
    command = Record.command(ProcessInstanceIntent.SUSPEND, ProcessInstanceRecordValue())
    result = engine.process(command, 0, 1)
    assert result.responses[1].is_rejection
    assert "has no processor" in result.responses[1].rejection_reason


def test_instance_waiting_at_one_job_is_small() -> None:
    import json

    engine = Engine()
    _deploy(engine, scenario("one_task.bpmn").read_bytes())
    before = engine.state.store.dump()
    engine.process(
        Record.command(
            ProcessInstanceCreationIntent.CREATE,
            ProcessInstanceCreationRecordValue(bpmn_process_id="one_task"),
        ),
        0,
    )
    after = engine.state.store.dump()
    size = 0
    for cf, entries in after.items():
        for key, value in entries.items():
            if before.get(cf, {}).get(key) != value:
                size += len(key) + len(json.dumps(value))
    assert size < 2048, size
