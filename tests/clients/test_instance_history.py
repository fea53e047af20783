"""clients.instance_history on recorded streams (the golden ones of tests/engine/golden) and
on a live in-process run: after each record, the tokens, path, variables and incidents are
what the instance had at that point, and a rejection is a step that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clients.client import connect
from clients.errors import NotFoundError
from clients.instance_history import HistoryStep, instance_history

GOLDEN = Path(__file__).parents[1] / "engine" / "golden" / "record_streams.json"
SCENARIOS = Path(__file__).parents[1] / "engine" / "scenarios"


def _stream(name: str) -> list[dict[str, Any]]:
    streams: dict[str, list[dict[str, Any]]] = json.loads(GOLDEN.read_text())
    return streams[name]


def _root(records: list[dict[str, Any]], nth: int = 0) -> int:
    keys = [
        r["key"]
        for r in records
        if r["recordType"] == "EVENT"
        and r["valueType"] == "PROCESS_INSTANCE"
        and r["intent"] == "ELEMENT_ACTIVATING"
        and r["value"]["bpmnElementType"] == "PROCESS"
    ]
    return int(keys[nth])


def _at(steps: list[HistoryStep], element_id: str, intent: str) -> HistoryStep:
    return next(s for s in steps if s.element_id == element_id and s.intent == intent)


def _tokens(step: HistoryStep) -> list[str]:
    return sorted(e.element_id for e in step.after.active)


def test_a_parallel_fork_has_two_tokens_until_the_join() -> None:
    records = _stream("parallel_fork_join/1")
    steps = instance_history(records, _root(records))
    assert [s.record_type for s in steps] == ["EVENT"] * len(steps)  # commands left out
    assert _tokens(_at(steps, "b", "ELEMENT_ACTIVATED")) == ["a", "b"]
    after_b = _at(steps, "b", "ELEMENT_COMPLETED")
    assert _tokens(after_b) == ["a"]
    assert "fb" in after_b.after.taken and "fa2" not in after_b.after.taken
    assert "b" in after_b.after.completed and "a" not in after_b.after.completed
    assert [v.name for v in after_b.after.variables] == ["b", "n"]
    last = steps[-1].after
    assert last.state == "ELEMENT_COMPLETED" and last.active == ()
    assert set(last.completed) >= {"start", "fork", "a", "b", "join", "end"}
    assert [s.after.state for s in steps[:3]] == ["", "", "ELEMENT_ACTIVATING"]


def test_a_subprocess_is_a_token_around_its_inner_ones_with_its_own_scope() -> None:
    records = _stream("embedded_subprocess/1")
    key = _root(records)
    steps = instance_history(records, key)
    inner = _at(steps, "inner", "ELEMENT_ACTIVATED").after
    sub = next(e for e in inner.active if e.element_id == "sub")
    assert _tokens(_at(steps, "inner", "ELEMENT_ACTIVATED")) == ["inner", "sub"]
    assert next(e for e in inner.active if e.element_id == "inner").flow_scope_key == sub.key
    scopes = {(v.scope_key, v.name) for v in inner.variables}
    assert scopes == {(key, "x"), (sub.key, "local")}
    # The instance's own scope first.
    assert inner.variables[0].scope_key == key


def test_an_incident_is_open_from_its_creation_to_its_resolution() -> None:
    records = _stream("business_rule_task/1")
    key = _root(records, 1)
    steps = instance_history(records, key)
    created = _at(steps, "decide", "CREATED")
    assert created.value_type == "INCIDENT"
    [incident] = created.after.incidents
    assert incident.element_id == "decide" and incident.error_type == "DECISION_EVALUATION_ERROR"
    resolved = next(s for s in steps if s.value_type == "INCIDENT" and s.intent == "RESOLVED")
    assert resolved.after.incidents == ()
    assert all(s.after.incidents for s in steps[created.index : resolved.index])
    # Another instance's records in the same stream are not this one's steps.
    assert {s.after.bpmn_process_id for s in steps} - {""} == {"rank_unique"}
    assert len(steps) < len([r for r in records if r["recordType"] != "COMMAND"])


def test_a_rejection_is_a_step_that_changes_nothing_and_steps_serialise() -> None:
    with connect("memory://") as client:
        client.deploy(SCENARIOS / "one_task.bpmn")
        key = client.create_instance("one_task", {"orderId": 4711})
        client.cancel_instance(key)
        with pytest.raises(NotFoundError):
            client.cancel_instance(key)
        steps = instance_history(client.records(), key)
    rejected = [s for s in steps if s.record_type == "COMMAND_REJECTION"]
    assert len(rejected) == 1 and rejected[0].rejection_reason
    before = steps[rejected[0].index - 1]
    assert rejected[0].after == before.after
    assert before.after.state == "ELEMENT_TERMINATED" and "task" in before.after.terminated
    shown = json.loads(json.dumps([s.to_json() for s in steps]))
    assert shown[0]["after"]["variables"] == [
        {"scopeKey": str(key), "name": "orderId", "value": 4711}
    ]
    waiting = next(s for s in shown if s["elementId"] == "task")
    assert waiting["key"].isdigit() and waiting["after"]["active"][0]["elementId"] == "task"
