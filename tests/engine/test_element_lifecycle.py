"""The element-instance lifecycle table (`processors.engine.state.element_lifecycle`): the
recorded behaviour follows it, and an event it does not allow is refused in one place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from broker.protocol import Record
from broker.protocol.intents import (
    DeploymentIntent,
    ProcessInstanceCreationIntent,
)
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    ProcessInstanceCreationRecordValue,
)
from processors.engine import Engine
from processors.engine.state.element_lifecycle import FINAL, INITIAL, TRANSITIONS
from tests.engine.conftest import scenario

GOLDEN = Path(__file__).parent / "golden" / "record_streams.json"
LIFECYCLE = {s.value for s in TRANSITIONS}


def test_every_state_is_reachable_and_every_path_ends() -> None:
    seen, todo = {INITIAL}, [INITIAL]
    while todo:
        for following in TRANSITIONS[todo.pop()]:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    assert seen == set(TRANSITIONS)
    assert {PI.ELEMENT_COMPLETED, PI.ELEMENT_TERMINATED} == FINAL
    assert all(TRANSITIONS[s] for s in seen - FINAL)


def test_the_recorded_streams_follow_the_table() -> None:
    streams = json.loads(GOLDEN.read_text())
    checked = 0
    for name, records in streams.items():
        states: dict[int, PI] = {}
        for r in records:
            if r["recordType"] != "EVENT" or r["valueType"] != "PROCESS_INSTANCE":
                continue
            if r["intent"] not in LIFECYCLE:
                continue
            intent = PI(r["intent"])
            if intent is INITIAL:
                assert r["key"] not in states, name
            else:
                assert intent in TRANSITIONS[states[r["key"]]], (name, r["key"], intent)
                checked += 1
            states[r["key"]] = intent
    assert checked > 100


def test_an_event_the_table_forbids_is_a_processing_error(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    value = DeploymentRecordValue(
        resources=(DeploymentResource("p.bpmn", scenario("one_task.bpmn").read_bytes()),)
    )
    engine.process(Record.command(DeploymentIntent.CREATE, value), 0)
    from processors.engine.bpmn import lifecycle, task_processors

    def completes_at_once(self: object, call: lifecycle.ElementCall) -> None:
        lifecycle.write(call, PI.ELEMENT_COMPLETED)  # skips ACTIVATED and COMPLETING

    monkeypatch.setattr(task_processors.TaskProcessor, "on_activate", completes_at_once)
    command = Record.command(
        ProcessInstanceCreationIntent.CREATE,
        ProcessInstanceCreationRecordValue(bpmn_process_id="one_task"),
    )
    result = engine.process(command, 5, request_id=7)
    [rejection] = [r for r in result.records if r.is_rejection]
    assert rejection.rejection_type.value == "PROCESSING_ERROR"
    assert "in state ELEMENT_ACTIVATING cannot take ELEMENT_COMPLETED" in (
        rejection.rejection_reason
    )
    assert not any(
        r.is_event and getattr(r.value, "element_id", "") == "task" for r in result.records
    )
