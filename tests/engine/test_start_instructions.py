"""Scenarios: creating an instance with start instructions (Zeebe's "start before element"):
the chosen elements run instead of the none start event, their flow scopes are activated
without start events or input mappings, and Zeebe's unsupported targets are refused."""

from __future__ import annotations

import pytest

from clients.client import Client
from clients.errors import InvalidArgumentError
from tests.engine.conftest import completed_elements, element_trace, events, scenario


def _complete(client: Client, job_type: str) -> None:
    [job] = client.activate_jobs(job_type, max_jobs=1, timeout=60, worker="w")
    client.complete_job(job.key)


def test_the_instance_starts_at_the_given_element(client: Client) -> None:
    client.deploy(scenario("start_instructions.bpmn"))
    key = client.create_instance("start_instructions", {"x": 1}, start_instructions=["b"])
    [created] = events(client, valueType="PROCESS_INSTANCE_CREATION", intent="CREATED")
    assert created["value"]["startInstructions"] == [{"elementId": "b"}]
    assert element_trace(client, key)[:4] == [
        ("start_instructions", "ELEMENT_ACTIVATING"),
        ("start_instructions", "ELEMENT_ACTIVATED"),
        ("b", "ELEMENT_ACTIVATING"),
        ("b", "ELEMENT_ACTIVATED"),
    ]
    assert client.activate_jobs("a", max_jobs=1, timeout=60) == []
    _complete(client, "b")
    _complete(client, "inner")
    _complete(client, "inner2")
    assert completed_elements(client, key) == [
        "b",
        "sub_start",
        "inner",
        "inner2",
        "sub_end",
        "sub",
        "end",
        "start_instructions",
    ]


def test_flow_scopes_start_without_start_event_or_input_mappings(client: Client) -> None:
    client.deploy(scenario("start_instructions.bpmn"))
    key = client.create_instance("start_instructions", {"x": 7}, start_instructions=["inner"])
    trace = element_trace(client, key)
    assert trace[:6] == [
        ("start_instructions", "ELEMENT_ACTIVATING"),
        ("start_instructions", "ELEMENT_ACTIVATED"),
        ("sub", "ELEMENT_ACTIVATING"),
        ("sub", "ELEMENT_ACTIVATED"),
        ("inner", "ELEMENT_ACTIVATING"),
        ("inner", "ELEMENT_ACTIVATED"),
    ]
    assert ("sub_start", "ELEMENT_ACTIVATING") not in trace
    names = {r["value"]["name"] for r in events(client, valueType="VARIABLE")}
    assert names == {"x", "innerVar"}  # the target's input mapping, not the subprocess's
    [timer] = events(client, valueType="TIMER", intent="CREATED")  # the boundary of `sub`
    assert timer["value"]["targetElementId"] == "sub_timeout"
    [job] = client.activate_jobs("inner", max_jobs=1, timeout=60)
    assert job.variables["innerVar"] == 7
    client.complete_job(job.key)
    _complete(client, "inner2")
    assert completed_elements(client, key)[-3:] == ["sub", "end", "start_instructions"]
    assert events(client, valueType="TIMER", intent="CANCELED")


def test_targets_in_one_subprocess_share_its_instance(client: Client) -> None:
    client.deploy(scenario("start_instructions.bpmn"))
    key = client.create_instance(
        "start_instructions", {"x": 1}, start_instructions=["a", "inner", "inner2"]
    )
    subs = events(client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATED", elementId="sub")
    assert len(subs) == 1
    _complete(client, "inner2")  # `inner` still runs: the subprocess waits
    assert "sub" not in completed_elements(client, key)
    _complete(client, "inner")
    _complete(client, "inner2")  # reached from `inner`
    assert "sub" in completed_elements(client, key)
    assert completed_elements(client, key)[-1] != "start_instructions"  # `a` still runs
    _complete(client, "a")
    _complete(client, "b")
    _complete(client, "inner")
    _complete(client, "inner2")
    assert completed_elements(client, key)[-1] == "start_instructions"


def test_a_process_without_none_start_event_can_start_at_an_element(client: Client) -> None:
    client.deploy(scenario("message_start.bpmn"))
    key = client.create_instance("message_start", start_instructions=["handle"])
    _complete(client, "handle-order")
    assert completed_elements(client, key) == ["handle", "end", "message_start"]


@pytest.mark.parametrize(
    ("resource", "process_id", "target", "reason"),
    [
        (
            "start_instructions.bpmn",
            "start_instructions",
            "nope",
            "no element found with id 'nope'.",
        ),
        (
            "mi_subprocess.bpmn",
            "mi_subprocess",
            "inner",
            "the element with id 'inner' is inside a multi-instance subprocess. The creation of"
            " elements inside a multi-instance subprocess is not supported.",
        ),
        (
            "start_instructions.bpmn",
            "start_instructions",
            "start",
            "the element with id 'start' targets unsupported element type 'START_EVENT'.",
        ),
        (
            "start_instructions.bpmn",
            "start_instructions",
            "sub_timeout",
            "the element with id 'sub_timeout' targets unsupported element type 'BOUNDARY_EVENT'.",
        ),
        (
            "start_instructions.bpmn",
            "start_instructions",
            "f2",
            "the element with id 'f2' targets unsupported element type 'SEQUENCE_FLOW'.",
        ),
        (
            "event_gateway.bpmn",
            "event_gateway",
            "soon",
            "the element with id 'soon' belongs to an event-based gateway. The creation of"
            " elements belonging to an event-based gateway is not supported.",
        ),
    ],
)
def test_unsupported_targets_are_refused(
    client: Client, resource: str, process_id: str, target: str, reason: str
) -> None:
    client.deploy(scenario(resource))
    with pytest.raises(InvalidArgumentError) as refused:
        client.create_instance(process_id, {"items": [1]}, start_instructions=[target])
    assert refused.value.reason.startswith(
        "Expected to create instance of process with start instructions but " + reason
    )
    assert events(client, valueType="PROCESS_INSTANCE") == []


def test_a_multi_instance_activity_itself_can_be_a_target(client: Client) -> None:
    client.deploy(scenario("mi_subprocess.bpmn"))
    key = client.create_instance("mi_subprocess", {"items": [1, 2]}, start_instructions=["each"])
    for job in client.activate_jobs("each", max_jobs=2, timeout=60):
        client.complete_job(job.key, {"result": True})
    assert completed_elements(client, key)[-2:] == ["end", "mi_subprocess"]


def test_a_subscription_that_cannot_be_opened_refuses_the_command(client: Client) -> None:
    client.deploy(scenario("message_event_subprocess.bpmn"))
    with pytest.raises(InvalidArgumentError) as refused:
        client.create_instance("message_event_subprocess", start_instructions=["work"])
    assert refused.value.reason.startswith(
        "Expected to subscribe to catch event(s) of 'message_event_subprocess' but "
    )
    assert events(client, valueType="PROCESS_INSTANCE") == []
    assert events(client, valueType="VARIABLE") == []
    key = client.create_instance(
        "message_event_subprocess", {"orderId": "o-1"}, start_instructions=["work"]
    )
    client.publish_message("abort", "o-1")
    assert completed_elements(client, key)[-2:] == ["on_abort", "message_event_subprocess"]


def test_an_event_subprocess_and_the_elements_inside_can_be_targets(client: Client) -> None:
    client.deploy(scenario("message_event_subprocess.bpmn"))
    inside = client.create_instance(
        "message_event_subprocess", {"orderId": "o-1"}, start_instructions=["aborted"]
    )
    assert completed_elements(client, inside) == ["aborted", "on_abort", "message_event_subprocess"]
    itself = client.create_instance(
        "message_event_subprocess", {"orderId": "o-2"}, start_instructions=["on_abort"]
    )
    assert completed_elements(client, itself) == [
        "abort_start",
        "aborted",
        "on_abort",
        "message_event_subprocess",
    ]


def test_create_with_result_starts_at_the_given_element(client: Client) -> None:
    client.deploy(scenario("start_instructions.bpmn"))
    result = client.create_instance(
        "start_instructions", {"x": 1}, start_instructions=["end"], with_result=True, timeout=10
    )
    assert result.variables == {"x": 1}
    assert completed_elements(client, result.process_instance_key) == [
        "end",
        "start_instructions",
    ]
