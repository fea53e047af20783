"""Escalation scenarios through the client (1 and 3 partitions): intermediate throw and end
events with a FEEL code, caught by boundary events on a subprocess (interrupting and not) and
by event subprocesses (interrupting by code, non-interrupting catch-all); an escalation nothing
catches is NOT_ESCALATED and the process goes on."""

from __future__ import annotations

from typing import Any

from clients.client import Client
from tests.engine.conftest import completed_elements, element_trace, events, scenario


def _escalations(client: Client) -> list[tuple[str, str, str, str]]:
    return [
        (
            r["intent"],
            r["value"]["escalationCode"],
            r["value"]["throwElementId"],
            r["value"]["catchElementId"],
        )
        for r in events(client, valueType="ESCALATION")
    ]


def _complete_jobs(client: Client, job_type: str) -> list[Any]:
    jobs = client.activate_jobs(job_type, max_jobs=10, timeout=60)
    for job in jobs:
        client.complete_job(job.key)
    return jobs


def test_a_non_interrupting_boundary_event_catches_and_the_thrower_goes_on(
    client: Client,
) -> None:
    client.deploy(scenario("escalation_boundary.bpmn"))
    key = client.create_instance("escalation_boundary", {"code": "LOW"})
    assert _escalations(client) == [("ESCALATED", "LOW", "escalate", "on_low")]
    done = completed_elements(client, key)
    assert "escalate" in done and "low_end" in done
    assert len(_complete_jobs(client, "after")) == 1  # the subprocess went on
    assert completed_elements(client, key)[-1] == "escalation_boundary"


def test_an_interrupting_boundary_event_terminates_the_subprocess(client: Client) -> None:
    client.deploy(scenario("escalation_boundary.bpmn"))
    key = client.create_instance("escalation_boundary", {"code": "HIGH"})
    assert _escalations(client) == [("ESCALATED", "HIGH", "escalate", "on_high")]
    trace = element_trace(client, key)
    assert ("escalate", "ELEMENT_TERMINATED") in trace
    assert ("sub", "ELEMENT_TERMINATED") in trace
    assert completed_elements(client, key)[-2:] == ["high_end", "escalation_boundary"]
    assert client.activate_jobs("after", max_jobs=1, timeout=10) == []


def test_an_uncaught_escalation_is_not_escalated_and_the_process_goes_on(
    client: Client,
) -> None:
    client.deploy(scenario("escalation_boundary.bpmn"))
    key = client.create_instance("escalation_boundary", {"code": "OTHER"})
    assert _escalations(client) == [("NOT_ESCALATED", "OTHER", "escalate", "")]
    assert events(client, valueType="INCIDENT") == []
    assert len(_complete_jobs(client, "after")) == 1
    assert completed_elements(client, key)[-2:] == ["end", "escalation_boundary"]


def test_an_escalation_code_that_fails_is_an_incident(client: Client) -> None:
    client.deploy(scenario("escalation_boundary.bpmn"))
    key = client.create_instance("escalation_boundary", {"code": 7})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "escalate"
    client.set_variables(key, {"code": "HIGH"})
    client.resolve_incident(incident["key"])
    assert "high_end" in completed_elements(client, key)


def test_an_interrupting_event_subprocess_catches_its_code_before_a_catch_all(
    client: Client,
) -> None:
    client.deploy(scenario("escalation_event_subprocess.bpmn"))
    key = client.create_instance("escalation_event_subprocess", {"code": "STOP"})
    assert _escalations(client) == [("ESCALATED", "STOP", "escalate_end", "on_stop")]
    trace = element_trace(client, key)
    assert ("escalate_end", "ELEMENT_TERMINATED") in trace
    assert ("sub", "ELEMENT_TERMINATED") in trace
    assert completed_elements(client, key)[-2:] == ["stop_handler", "escalation_event_subprocess"]


def test_a_non_interrupting_catch_all_event_subprocess(client: Client) -> None:
    client.deploy(scenario("escalation_event_subprocess.bpmn"))
    key = client.create_instance("escalation_event_subprocess", {"code": "ANYTHING"})
    assert _escalations(client) == [("ESCALATED", "ANYTHING", "escalate_end", "on_any")]
    done = completed_elements(client, key)
    assert "escalate_end" in done and "sub" in done and "end" in done  # the end event completed
    assert "escalation_event_subprocess" not in done  # the handler still runs
    assert len(_complete_jobs(client, "handle-any")) == 1
    assert completed_elements(client, key)[-2:] == ["any_handler", "escalation_event_subprocess"]


def test_a_boundary_event_on_a_call_activity_catches_the_called_process_escalation(
    client: Client,
) -> None:
    client.deploy(scenario("escalation_call.bpmn"))
    key = client.create_instance("escalation_call_parent")
    assert _escalations(client) == [("ESCALATED", "LATE", "late", "on_any")]
    done = completed_elements(client, key)
    assert "noticed" in done and done[-1] == "escalation_call_parent"
    [child] = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_COMPLETED", elementId="late"
    )
    assert child["value"]["parentProcessInstanceKey"] == key
