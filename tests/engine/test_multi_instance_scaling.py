"""Multi-instance over large collections: the input collection is evaluated once per body, not
once per inner instance (which made n items cost n evaluations of an n-item list), unless what
it reads changed; a collection wider than the loop guard's steps in a row runs to the end; a
parallel body activates its inner instances chunk by chunk, each chunk a batch of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bpmn import Expression
from clients.client import Client, connect
from processors.engine import loop_guard
from processors.engine.bpmn import multi_instance_behavior
from tests.engine.conftest import completed_elements, events, scenario, variables_of


@pytest.fixture(params=["memory://", "memory://?partitions=3"])
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    """In process only: these tests change the engine's module state (monkeypatch), which the
    engine processes of the Kafka variant do not share."""
    with connect(request.param) as connected:
        yield connected


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The input collection expressions evaluated, in order."""
    seen: list[str] = []
    original = multi_instance_behavior.evaluate_typed

    def counting(expression: Expression, *args: Any) -> Any:
        if args[-1] is list:
            seen.append(expression.feel_text)
        return original(expression, *args)

    monkeypatch.setattr(multi_instance_behavior, "evaluate_typed", counting)
    yield seen


def test_a_parallel_collection_is_evaluated_once(client: Client, evaluations: list[str]) -> None:
    client.deploy(scenario("mi_wide.bpmn"))
    key = client.create_instance("mi_wide", {"order": {"items": list(range(500))}})
    assert completed_elements(client, key)[-1] == "mi_wide"
    assert evaluations == ["order.items"]
    doubled = events(client, valueType="VARIABLE", name="doubled")
    assert sorted(int(r["value"]["value"]) for r in doubled) == [2 * i for i in range(500)]


def test_a_sequential_collection_is_evaluated_again_only_when_it_changed(
    client: Client, evaluations: list[str]
) -> None:
    client.deploy(scenario("mi_sequential.bpmn"))
    key = client.create_instance("mi_sequential", {"items": [1, 2, 3, 4]})
    for _ in range(2):
        [job] = client.activate_jobs("each", max_jobs=5, timeout=60)
        client.complete_job(job.key, {"result": job.variables["item"] * 10})
    assert evaluations == ["items"]
    # Changed while iterating (the third instance already has its item): the next inner
    # instances see the new collection, as in Zeebe.
    client.set_variables(key, {"items": [1, 2, 30, 40]})
    seen = []
    for _ in range(2):
        [job] = client.activate_jobs("each", max_jobs=5, timeout=60)
        seen.append(job.variables["item"])
        client.complete_job(job.key, {"result": job.variables["item"] * 10})
    assert seen == [3, 40]
    assert evaluations == ["items", "items"]
    assert variables_of(client, key)["results"] == [10, 20, 30, 400]


def test_a_collection_wider_than_the_steps_in_a_row_runs_to_the_end(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loop_guard, "MAX_STEPS_IN_A_ROW", 100)
    client.deploy(scenario("mi_wide.bpmn"))
    key = client.create_instance("mi_wide", {"order": {"items": list(range(1_000))}})
    assert completed_elements(client, key)[-1] == "mi_wide"
    assert events(client, valueType="INCIDENT") == []


def test_a_parallel_collection_is_activated_chunk_by_chunk_in_batches_of_its_own(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multi_instance_behavior, "INNER_INSTANCES_PER_BATCH", 10)
    client.deploy(scenario("mi_wide.bpmn"))
    key = client.create_instance("mi_wide", {"order": {"items": list(range(25))}})
    assert completed_elements(client, key)[-1] == "mi_wide"
    loop_counters = [
        json.loads(r["value"]["value"])
        for r in events(client, valueType="VARIABLE", intent="CREATED", name="loopCounter")
    ]
    assert sorted(loop_counters) == list(range(1, 26))
    # The first of each further chunk came as a command of its own (no source record), and
    # the body wrote only the first chunk.
    activations = [
        r
        for r in client.records()
        if r["recordType"] == "COMMAND"
        and r["intent"] == "ACTIVATE_ELEMENT"
        and r["value"]["bpmnElementType"] == "SCRIPT_TASK"
    ]
    assert len(activations) == 25
    assert sum(r["sourceRecordPosition"] == -1 for r in activations) == 2


def test_chunks_and_a_completion_condition_end_the_body_as_before(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multi_instance_behavior, "INNER_INSTANCES_PER_BATCH", 2)
    client.deploy(scenario("mi_condition.bpmn"))
    key = client.create_instance("mi_condition", {"items": [1, 2, 3, 4, 5]})
    jobs = client.activate_jobs("each", max_jobs=10, timeout=60)
    assert len(jobs) == 5  # every chunk arrived
    for job in jobs[:2]:
        client.complete_job(job.key, {"result": "done"})
    assert completed_elements(client, key)[-1] == "mi_condition"
