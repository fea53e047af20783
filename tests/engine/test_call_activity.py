"""Scenarios: call activities — the child instance and its parent keys, variables in and out,
output mappings, cancelling the parent, CALLED_ELEMENT_ERROR and its resolution."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.intents import DeploymentIntent, ProcessInstanceIntent
from broker.protocol.keys import decode_partition, encode_key
from broker.protocol.values import (
    BpmnElementType,
    DeploymentRecordValue,
    DeploymentResource,
    ProcessInstanceRecordValue,
)
from clients.client import Client
from processors.engine import Engine
from tests.engine.conftest import (
    called_instance,
    completed_elements,
    element_trace,
    events,
    scenario,
    variables_of,
)


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
    child = called_instance(client, parent)
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
    child = called_instance(client, parent)["key"]
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
    child = called_instance(client, parent)["key"]
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


def _terminated(client: Client, key: int) -> list[str]:
    return [e for e, i in element_trace(client, key) if i == "ELEMENT_TERMINATED"]


def _assert_child_gone(client: Client, parent: int) -> None:
    """The called instance was terminated with everything in it, and nothing of it is left
    to work on."""
    child = called_instance(client, parent)["key"]
    assert _terminated(client, child) == ["child_task", "call_child"]
    [created] = events(client, valueType="JOB", intent="CREATED", processInstanceKey=child)
    [canceled] = events(client, valueType="JOB", intent="CANCELED")
    assert canceled["key"] == created["key"]
    assert client.activate_jobs("child", max_jobs=1, timeout=60) == []


def test_cancelling_right_after_the_call_activity_activates_terminates_the_child(
    client: Client,
) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_parent.bpmn"))
    parent = client.create_instance("call_parent")
    client.cancel_instance(parent)  # no job was ever activated
    _assert_child_gone(client, parent)
    assert _terminated(client, parent) == ["call", "call_parent"]


def test_a_timer_boundary_due_at_once_terminates_the_called_instance(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_interrupted.bpmn"))
    parent = client.create_instance("call_timer_boundary")
    _assert_child_gone(client, parent)
    assert _terminated(client, parent) == ["call"]
    assert completed_elements(client, parent)[-2:] == ["timed_out", "call_timer_boundary"]


def test_a_buffered_message_interrupts_the_call_activity_at_once(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_interrupted.bpmn"))
    client.publish_message("cancel-call", "order-7", {"reason": "customer"}, ttl=60)
    parent = client.create_instance("call_message_boundary", {"orderId": "order-7"})
    _assert_child_gone(client, parent)
    assert _terminated(client, parent) == ["m_call"]
    assert completed_elements(client, parent)[-2:] == ["m_cancelled", "call_message_boundary"]
    assert variables_of(client, parent)["reason"] == "customer"


def test_a_called_process_whose_call_activity_is_gone_is_not_activated() -> None:
    """Zeebe's state transition guard: the ACTIVATE_ELEMENT of a called process written just
    before its call activity was terminated is rejected, so the child never runs."""
    engine = Engine()
    deploy = Record.command(
        DeploymentIntent.CREATE,
        DeploymentRecordValue(
            resources=(
                DeploymentResource("call_child.bpmn", scenario("call_child.bpmn").read_bytes()),
            )
        ),
    )
    [process] = engine.process(deploy, 1_000, request_id=1).responses.values()
    metadata = process.value.processes_metadata[0]
    orphan = Record.command(
        ProcessInstanceIntent.ACTIVATE_ELEMENT,
        ProcessInstanceRecordValue(
            bpmn_process_id="call_child",
            version=metadata.version,
            process_definition_key=metadata.process_definition_key,
            process_instance_key=encode_key(1, 999),
            element_id="call_child",
            bpmn_element_type=BpmnElementType.PROCESS,
            parent_process_instance_key=encode_key(1, 997),
            parent_element_instance_key=encode_key(1, 998),
        ),
        key=encode_key(1, 999),
    )
    [rejection] = engine.process(orphan, 2_000).records[1:]
    assert rejection.is_rejection
    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert f"call activity instance with key '{encode_key(1, 998)}'" in rejection.rejection_reason
    assert engine.state.elements.get(encode_key(1, 999)) is None
