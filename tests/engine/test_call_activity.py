"""Scenarios: call activities — the child instance and its parent keys, variables in and out,
output mappings, cancelling the parent, CALLED_ELEMENT_ERROR and its resolution."""

from __future__ import annotations

from typing import Any

from broker.protocol.keys import decode_partition
from clients.client import Client
from tests.engine.conftest import completed_elements, element_trace, events, scenario, variables_of


def _child_instance(client: Client, parent_key: int) -> dict[str, Any]:
    [child] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
        parentProcessInstanceKey=parent_key,
    )
    return child


def _call_activity_key(client: Client, parent_key: int) -> int:
    [activated] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        processInstanceKey=parent_key,
        elementId="call",
    )
    return int(activated["key"])


def test_child_gets_the_variables_and_gives_its_own_back(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_parent.bpmn"))
    parent = client.create_instance("call_parent", {"order": {"id": "A-1"}, "n": 1})
    child = _child_instance(client, parent)
    assert child["value"]["bpmnProcessId"] == "call_child"
    assert child["value"]["parentElementInstanceKey"] == _call_activity_key(client, parent)
    assert decode_partition(child["key"]) == decode_partition(
        parent
    )  # created on the parent's partition
    [job] = client.activate_jobs("child", max_jobs=1, timeout=60)
    assert job.process_instance_key == child["key"]
    assert job.variables == {"order": {"id": "A-1"}, "n": 1}
    client.complete_job(job.key, {"receipt": {"total": 9}, "n": 2})
    assert completed_elements(client, child["key"])[-1] == "call_child"
    assert completed_elements(client, parent)[-2:] == ["end", "call_parent"]
    assert variables_of(client, parent) == {"order": {"id": "A-1"}, "n": 2, "receipt": {"total": 9}}


def test_without_propagation_only_mapped_values_cross(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_mappings.bpmn"))
    parent = client.create_instance("call_mappings", {"order": {"id": "A-2"}, "secret": 1})
    [job] = client.activate_jobs("child", max_jobs=1, timeout=60)
    assert job.variables == {"orderId": "A-2"}  # the input mapping only
    client.complete_job(job.key, {"receipt": {"total": 12}, "noise": True})
    assert variables_of(client, parent) == {"order": {"id": "A-2"}, "secret": 1, "paid": 12}
    assert completed_elements(client, parent)[-1] == "call_mappings"


def test_cancelling_the_parent_terminates_the_child(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_parent.bpmn"))
    parent = client.create_instance("call_parent")
    child = _child_instance(client, parent)["key"]
    [job] = client.activate_jobs("child", max_jobs=1, timeout=60)
    client.cancel_instance(parent)
    terminated = [e for e, i in element_trace(client, child) if i == "ELEMENT_TERMINATED"]
    assert terminated == ["child_task", "call_child"]
    parent_terminated = [e for e, i in element_trace(client, parent) if i == "ELEMENT_TERMINATED"]
    assert parent_terminated == ["call", "call_parent"]
    assert [r["key"] for r in events(client, valueType="JOB", intent="CANCELED")] == [job.key]
    assert client.activate_jobs("child", max_jobs=1, timeout=60) == []


def test_missing_process_is_an_incident_resolved_after_deploying_it(client: Client) -> None:
    client.deploy(scenario("call_expression.bpmn"))
    parent = client.create_instance("call_expression", {"childId": "call_child"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "CALLED_ELEMENT_ERROR"
    assert incident["value"]["errorMessage"] == (
        "Expected process with BPMN process id 'call_child' to be deployed, but not found."
    )
    assert incident["value"]["elementId"] == "call"
    client.deploy(scenario("call_child.bpmn"))
    client.resolve_incident(incident["key"])
    child = _child_instance(client, parent)["key"]
    [job] = client.activate_jobs("child", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    assert completed_elements(client, child)[-1] == "call_child"
    assert completed_elements(client, parent)[-1] == "call_expression"


def test_a_failing_process_id_expression_is_an_incident(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_expression.bpmn"))
    client.create_instance("call_expression", {"childId": 42})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    # Zeebe reports a failing expression as EXTRACT_VALUE_ERROR, a missing process as
    # CALLED_ELEMENT_ERROR.
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "'STRING'" in incident["value"]["errorMessage"]
    assert not events(client, valueType="PROCESS_INSTANCE", bpmnProcessId="call_child")
