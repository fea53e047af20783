"""Scenarios: deployment, instance creation, the one-task process, cancel, create-with-result."""

from __future__ import annotations

import threading

import pytest

from clients.client import Client
from clients.errors import InvalidArgumentError, NotFoundError, RejectedError
from tests.engine.conftest import completed_elements, element_trace, events, scenario


def test_one_task_record_stream(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    key = client.create_instance("one_task", {"x": 1})
    [job] = client.activate_jobs("work", max_jobs=10, timeout=60, worker="w1")
    assert (job.type, job.retries, job.custom_headers) == ("work", 3, {"mode": "fast"})
    assert job.variables == {"x": 1} and job.element_id == "task"
    assert job.process_instance_key == key
    client.complete_job(job.key, {"y": 2})
    assert element_trace(client, key) == [
        ("one_task", "ELEMENT_ACTIVATING"),
        ("one_task", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_ACTIVATING"),
        ("start", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_COMPLETING"),
        ("start", "ELEMENT_COMPLETED"),
        ("f1", "SEQUENCE_FLOW_TAKEN"),
        ("task", "ELEMENT_ACTIVATING"),
        ("task", "ELEMENT_ACTIVATED"),
        ("task", "ELEMENT_COMPLETING"),
        ("task", "ELEMENT_COMPLETED"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        ("end", "ELEMENT_ACTIVATING"),
        ("end", "ELEMENT_ACTIVATED"),
        ("end", "ELEMENT_COMPLETING"),
        ("end", "ELEMENT_COMPLETED"),
        ("one_task", "ELEMENT_COMPLETING"),
        ("one_task", "ELEMENT_COMPLETED"),
    ]
    [created] = events(client, valueType="JOB", intent="CREATED")
    assert created["value"]["elementInstanceKey"] != key
    task = events(client, valueType="PROCESS_INSTANCE", elementId="task")[0]
    assert task["value"]["bpmnElementType"] == "SERVICE_TASK"
    assert task["value"]["flowScopeKey"] == key
    assert task["recordVersion"] == 1
    y = events(client, valueType="VARIABLE", name="y")
    assert [(v["value"]["value"], v["value"]["scopeKey"]) for v in y] == [("2", key)]


def test_records_have_increasing_positions_per_partition(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    by_partition: dict[int, list[int]] = {}
    for record in client.records():
        by_partition.setdefault(record["partitionId"], []).append(record["position"])
    for positions in by_partition.values():
        assert positions == list(range(1, len(positions) + 1))


def test_versions_only_for_changed_resources(client: Client) -> None:
    first = client.deploy(scenario("one_task.bpmn"))
    again = client.deploy(scenario("one_task.bpmn"))
    changed = scenario("one_task.bpmn").read_bytes().replace(b'retries="3"', b'retries="5"')
    second = client.deploy(changed)
    assert [p.version for p in first.processes] == [1]
    assert again.processes[0].version == 1 and again.processes[0].duplicate
    assert again.processes[0].process_definition_key == first.processes[0].process_definition_key
    assert second.processes[0].version == 2
    v1 = client.create_instance("one_task", version=1)
    latest = client.create_instance("one_task")
    retries = {
        j.process_instance_key: j.retries
        for j in client.activate_jobs("work", max_jobs=9, timeout=5)
    }
    assert retries == {v1: 3, latest: 5}


def test_duplicate_process_ids_in_one_deployment_are_rejected(client: Client) -> None:
    data = scenario("one_task.bpmn").read_bytes()
    with pytest.raises(InvalidArgumentError) as error:
        client.deploy(data, data)
    assert "one_task" in error.value.reason
    assert error.value.rejection_type == "INVALID_ARGUMENT"


def test_invalid_bpmn_is_rejected_with_the_problem(client: Client) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        client.deploy(b"<definitions/>")
    assert "resource-1.bpmn" in error.value.reason


def test_unknown_process_and_version_are_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as error:
        client.create_instance("nope")
    assert "'nope'" in error.value.reason
    client.deploy(scenario("one_task.bpmn"))
    with pytest.raises(NotFoundError):
        client.create_instance("one_task", version=7)


def test_cancel_terminates_everything(client: Client) -> None:
    client.deploy(scenario("parallel.bpmn"))
    key = client.create_instance("parallel")
    client.cancel_instance(key)
    trace = element_trace(client, key)
    assert trace[-1] == ("parallel", "ELEMENT_TERMINATED")
    assert {e for e, i in trace if i == "ELEMENT_TERMINATED"} == {"a", "b", "parallel"}
    assert len(events(client, valueType="JOB", intent="CANCELED")) == 2
    assert client.activate_jobs("a", max_jobs=1, timeout=5) == []
    with pytest.raises(NotFoundError) as error:
        client.cancel_instance(key)
    assert str(key) in error.value.reason


def test_create_with_result_waits_for_completion(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    outcome: list[object] = []

    def create() -> None:
        outcome.append(client.create_instance("one_task", {"a": 1}, with_result=True, timeout=10))

    thread = threading.Thread(target=create)
    thread.start()
    jobs = []
    while not jobs:
        jobs = client.activate_jobs("work", max_jobs=1, timeout=5)
    client.complete_job(jobs[0].key, {"b": 2})
    thread.join(10)
    [result] = outcome
    assert result.variables == {"a": 1, "b": 2}  # type: ignore[attr-defined]
    assert result.process_instance_key == jobs[0].process_instance_key  # type: ignore[attr-defined]


def test_create_with_result_times_out(client: Client) -> None:
    from clients.errors import RequestTimeoutError

    client.deploy(scenario("one_task.bpmn"))
    with pytest.raises(RequestTimeoutError):
        client.create_instance("one_task", with_result=True, timeout=0.05)


def test_rejections_are_one_exception_tree(client: Client) -> None:
    with pytest.raises(RejectedError) as error:
        client.complete_job(2251799813685249 + 999)
    assert error.value.rejection_type == "NOT_FOUND"
    assert "2251799813686248" in error.value.reason


def test_gateway_scenarios_complete(client: Client) -> None:
    client.deploy(scenario("exclusive.bpmn"))
    keys = {
        amount: client.create_instance("exclusive", {"amount": amount}) for amount in (500, 50, 5)
    }
    assert completed_elements(client, keys[500])[-2] == "end_big"
    assert completed_elements(client, keys[50])[-2] == "end_mid"
    assert completed_elements(client, keys[5])[-2] == "end_small"
