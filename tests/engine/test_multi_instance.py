"""Scenarios: multi-instance activities — parallel and sequential over a task, a subprocess and
a call activity; output collection order, completion condition, empty and bad collections."""

from __future__ import annotations

import json
from typing import Any

from clients.client import Client
from clients.results import ActivatedJob
from tests.engine.conftest import completed_elements, element_trace, events, scenario, variables_of


def _jobs(client: Client, count: int, job_type: str = "each") -> list[ActivatedJob]:
    jobs = client.activate_jobs(job_type, max_jobs=count + 1, timeout=60)
    assert len(jobs) == count
    return sorted(jobs, key=lambda j: j.variables["loopCounter"])


def _local(client: Client, scope_key: int) -> dict[str, Any]:
    return {
        r["value"]["name"]: json.loads(r["value"]["value"])
        for r in events(client, valueType="VARIABLE", scopeKey=scope_key)
    }


def test_parallel_output_keeps_input_order_when_completed_in_reverse(client: Client) -> None:
    client.deploy(scenario("mi_parallel.bpmn"))
    key = client.create_instance("mi_parallel", {"items": ["a", "b", "c"]})
    jobs = _jobs(client, 3)
    assert [(j.variables["item"], j.variables["loopCounter"]) for j in jobs] == [
        ("a", 1),
        ("b", 2),
        ("c", 3),
    ]
    [body] = events(client, intent="ELEMENT_ACTIVATED", bpmnElementType="MULTI_INSTANCE_BODY")
    inner = events(client, intent="ELEMENT_ACTIVATED", bpmnElementType="SERVICE_TASK")
    assert {r["value"]["flowScopeKey"] for r in inner} == {body["key"]}
    for job in reversed(jobs):
        client.complete_job(job.key, {"result": job.variables["item"].upper()})
    assert variables_of(client, key)["results"] == ["A", "B", "C"]
    assert "result" not in variables_of(client, key)  # landed in each inner instance
    assert completed_elements(client, key)[-3:] == ["each", "end", "mi_parallel"]


def test_sequential_runs_one_inner_instance_at_a_time(client: Client) -> None:
    client.deploy(scenario("mi_sequential.bpmn"))
    key = client.create_instance("mi_sequential", {"items": [1, 2, 3]})
    seen = []
    for expected in (1, 2, 3):
        [job] = _jobs(client, 1)
        assert job.variables["loopCounter"] == expected
        seen.append(job.variables["item"])
        client.complete_job(job.key, {"result": job.variables["item"] * 10})
    assert seen == [1, 2, 3]
    assert variables_of(client, key)["results"] == [10, 20, 30]
    assert completed_elements(client, key)[-1] == "mi_sequential"


def test_subprocess_instances_keep_the_order_of_the_input(client: Client) -> None:
    client.deploy(scenario("mi_subprocess.bpmn"))
    key = client.create_instance("mi_subprocess", {"items": ["x", "y"]})
    jobs = _jobs(client, 2)
    assert [j.variables["item"] for j in jobs] == ["x", "y"]
    for job in reversed(jobs):
        client.complete_job(job.key, {"result": f"done-{job.variables['item']}"})
    assert variables_of(client, key)["results"] == [
        {"item": "x", "done": "done-x"},
        {"item": "y", "done": "done-y"},
    ]
    trace = element_trace(client, key)
    assert trace.count(("each", "ELEMENT_COMPLETED")) == 3  # two inner instances, one body


def test_completion_condition_terminates_the_remaining_instances(client: Client) -> None:
    client.deploy(scenario("mi_condition.bpmn"))
    key = client.create_instance("mi_condition", {"items": [1, 2, 3]})
    jobs = _jobs(client, 3)
    client.complete_job(jobs[2].key, {"result": "third"})
    assert completed_elements(client, key)[-1] != "mi_condition"
    client.complete_job(jobs[0].key, {"result": "first"})
    trace = element_trace(client, key)
    assert ("each", "ELEMENT_TERMINATED") in trace
    assert [r["key"] for r in events(client, valueType="JOB", intent="CANCELED")] == [jobs[1].key]
    assert variables_of(client, key)["results"] == ["first", None, "third"]
    assert completed_elements(client, key)[-1] == "mi_condition"


def test_an_empty_collection_completes_the_body_at_once(client: Client) -> None:
    client.deploy(scenario("mi_parallel.bpmn"))
    key = client.create_instance("mi_parallel", {"items": []})
    assert completed_elements(client, key)[-3:] == ["each", "end", "mi_parallel"]
    assert variables_of(client, key)["results"] == []
    assert not events(client, valueType="JOB", intent="CREATED")


def test_a_collection_that_is_not_a_list_is_an_incident(client: Client) -> None:
    client.deploy(scenario("mi_sequential.bpmn"))
    key = client.create_instance("mi_sequential", {"items": "abc"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "'ARRAY'" in incident["value"]["errorMessage"]
    [body] = events(client, intent="ELEMENT_ACTIVATING", bpmnElementType="MULTI_INSTANCE_BODY")
    assert incident["value"]["elementInstanceKey"] == body["key"]
    client.set_variables(key, {"items": ["only"]})
    client.resolve_incident(incident["key"])
    [job] = _jobs(client, 1)
    client.complete_job(job.key, {"result": 1})
    assert variables_of(client, key)["results"] == [1]


def test_multi_instance_call_activity_collects_each_child_result(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("mi_call.bpmn"))
    key = client.create_instance("mi_call", {"items": [3, 4]})
    children = events(
        client, intent="ELEMENT_ACTIVATED", bpmnElementType="PROCESS", parentProcessInstanceKey=key
    )
    assert len(children) == 2
    jobs = sorted(
        client.activate_jobs("child", max_jobs=3, timeout=60), key=lambda j: j.variables["item"]
    )
    # the call activity's local variables only: the loop's and the input mapping's
    assert [j.variables for j in jobs] == [
        {"item": 3, "loopCounter": 1, "y": None},
        {"item": 4, "loopCounter": 2, "y": None},
    ]
    for job in reversed(jobs):
        client.complete_job(job.key, {"y": job.variables["item"] ** 2})
    assert variables_of(client, key)["results"] == [9, 16]
    assert "y" not in variables_of(client, key)
    assert completed_elements(client, key)[-1] == "mi_call"


def test_cancel_terminates_the_body_and_every_inner_instance(client: Client) -> None:
    client.deploy(scenario("mi_parallel.bpmn"))
    key = client.create_instance("mi_parallel", {"items": [1, 2]})
    _jobs(client, 2)
    client.cancel_instance(key)
    terminated = [e for e, i in element_trace(client, key) if i == "ELEMENT_TERMINATED"]
    assert terminated == ["each", "each", "each", "mi_parallel"]
    assert len(events(client, valueType="JOB", intent="CANCELED")) == 2
    assert _local(client, key) == {"items": [1, 2]}


def test_a_boundary_event_belongs_to_the_body(client: Client) -> None:
    client.deploy(scenario("mi_boundary.bpmn"))
    key = client.create_instance("mi_boundary", {"items": [1, 2, 3]})
    _jobs(client, 3)
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    [body] = events(client, intent="ELEMENT_ACTIVATED", bpmnElementType="MULTI_INSTANCE_BODY")
    assert timer["value"]["elementInstanceKey"] == body["key"]  # one timer, on the body
    client.advance_time(11)
    terminated = [e for e, i in element_trace(client, key) if i == "ELEMENT_TERMINATED"]
    assert terminated == ["each"] * 4  # three inner instances, then the body
    assert len(events(client, valueType="JOB", intent="CANCELED")) == 3
    assert completed_elements(client, key)[-2:] == ["late", "mi_boundary"]


def test_resolving_an_inner_input_mapping_incident_sets_the_loop_variables_again(
    client: Client,
) -> None:
    """Zeebe re-processes the inner instance's activation on resolve: its input element is read
    again from the (corrected) input collection at its index."""
    client.deploy(scenario("mi_mapping.bpmn"))
    key = client.create_instance("mi_mapping", {"items": [{"sku": "A"}, {"sku": "B"}]})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "IO_MAPPING_ERROR"
    assert incident["value"]["elementId"] == "each"
    client.set_variables(
        key, {"config": {"currency": "EUR"}, "items": [{"sku": "A2"}, {"sku": "B"}]}
    )
    client.resolve_incident(incident["key"])
    [job] = _jobs(client, 1)
    assert job.variables["item"] == {"sku": "A2"}
    assert job.variables["loopCounter"] == 1
    assert job.variables["currency"] == "EUR"
    assert _local(client, job.element_instance_key)["item"] == {"sku": "A2"}
    client.complete_job(job.key, {"result": 1})
    [job] = _jobs(client, 1)
    assert (job.variables["item"], job.variables["loopCounter"]) == ({"sku": "B"}, 2)
    client.complete_job(job.key, {"result": 2})
    assert completed_elements(client, key)[-1] == "mi_mapping"
    assert variables_of(client, key)["results"] == [1, 2]
