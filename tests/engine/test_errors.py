"""Scenarios: BPMN errors — boundary events by code and catch-all, error event subprocesses,
error end events (code as an expression) caught by an enclosing subprocess's boundary event,
and unhandled errors as UNHANDLED_ERROR_EVENT incidents."""

from __future__ import annotations

from clients.client import Client
from tests.engine.conftest import completed_elements, element_trace, events, scenario, variables_of


def _job(client: Client, job_type: str) -> int:
    [job] = client.activate_jobs(job_type, max_jobs=1, timeout=60)
    return job.key


def test_error_boundary_by_code(client: Client) -> None:
    client.deploy(scenario("error_boundary.bpmn"))
    key = client.create_instance("error_boundary")
    client.throw_error(_job(client, "work"), "E1", "out of stock", {"reason": "stock"})
    [thrown] = events(client, valueType="JOB", intent="ERROR_THROWN")
    assert thrown["value"]["errorCode"] == "E1"
    trace = element_trace(client, key)
    assert trace.index(("task", "ELEMENT_TERMINATED")) < trace.index(
        ("on_e1", "ELEMENT_ACTIVATING")
    )
    assert completed_elements(client, key)[-2:] == ["end_e1", "error_boundary"]
    assert "on_any" not in completed_elements(client, key)
    assert not events(client, valueType="INCIDENT")
    [boundary] = events(
        client, valueType="PROCESS_INSTANCE", elementId="on_e1", intent="ELEMENT_ACTIVATED"
    )
    # the error's variables are local to the boundary event; only the output mapping leaves
    [reason] = events(client, valueType="VARIABLE", name="reason")
    assert reason["value"]["scopeKey"] == boundary["key"]
    assert variables_of(client, key) == {"why": "stock"}


def test_catch_all_boundary_takes_other_codes(client: Client) -> None:
    client.deploy(scenario("error_boundary.bpmn"))
    key = client.create_instance("error_boundary")
    client.throw_error(_job(client, "work"), "SOMETHING_ELSE", variables={"reason": "x"})
    assert completed_elements(client, key)[-2:] == ["end_any", "error_boundary"]
    assert variables_of(client, key) == {}  # an error boundary event keeps its variables


def test_error_end_event_caught_by_an_enclosing_subprocess_boundary(client: Client) -> None:
    client.deploy(scenario("error_end_event.bpmn"))
    key = client.create_instance("error_end_event", {"kind": "stock"})
    trace = element_trace(client, key)
    assert ("side", "ELEMENT_TERMINATED") in trace
    assert ("fail", "ELEMENT_TERMINATED") in trace
    assert ("inner", "ELEMENT_TERMINATED") in trace
    assert trace.index(("sub", "ELEMENT_TERMINATED")) < trace.index(
        ("no_stock", "ELEMENT_ACTIVATING")
    )
    assert completed_elements(client, key)[-2:] == ["reorder", "error_end_event"]
    assert len(events(client, valueType="JOB", intent="CANCELED")) == 1
    assert not events(client, valueType="INCIDENT")


def test_unhandled_error_end_event_raises_an_incident(client: Client) -> None:
    client.deploy(scenario("error_end_event.bpmn"))
    key = client.create_instance("error_end_event", {"kind": "payment"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    value = incident["value"]
    assert value["errorType"] == "UNHANDLED_ERROR_EVENT"
    assert value["elementId"] == "fail"
    assert value["errorMessage"] == (
        "Expected to throw an error event with the code 'E-payment', but it was not caught."
        " Available error events are [E-stock]"
    )
    # resolving throws again: with the right code it is caught now
    client.set_variables(key, {"kind": "stock"})
    client.resolve_incident(incident["key"])
    assert completed_elements(client, key)[-2:] == ["reorder", "error_end_event"]


def test_error_code_expression_failure_is_an_incident(client: Client) -> None:
    client.deploy(scenario("error_end_event.bpmn"))
    client.create_instance("error_end_event")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "fail"


def test_error_event_subprocess_interrupts_the_scope(client: Client) -> None:
    client.deploy(scenario("error_event_subprocess.bpmn"))
    key = client.create_instance("error_event_subprocess")
    client.throw_error(_job(client, "work"), "E2", "failed", {"detail": 7})
    trace = element_trace(client, key)
    assert ("task", "ELEMENT_TERMINATED") in trace
    assert ("other", "ELEMENT_TERMINATED") in trace
    assert trace.index(("other", "ELEMENT_TERMINATED")) < trace.index(
        ("handler", "ELEMENT_ACTIVATING")
    )
    assert not client.activate_jobs("other", max_jobs=1, timeout=60)
    [start] = events(
        client, valueType="PROCESS_INSTANCE", elementId="on_e2", intent="ELEMENT_ACTIVATED"
    )
    [handler] = events(
        client, valueType="PROCESS_INSTANCE", elementId="handler", intent="ELEMENT_ACTIVATED"
    )
    assert start["value"]["flowScopeKey"] == handler["key"]
    [job] = client.activate_jobs("compensate", max_jobs=1, timeout=60)
    assert job.variables == {"detail": 7}
    client.complete_job(job.key)
    assert completed_elements(client, key)[-3:] == ["handled", "handler", "error_event_subprocess"]


def test_unhandled_job_error_names_no_events(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    client.throw_error(_job(client, "work"), "NOPE", "broken")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorMessage"] == (
        "Expected to throw an error event with the code 'NOPE' with message 'broken', but it"
        " was not caught. No error events are available in the scope."
    )


def test_error_in_a_called_process_is_caught_at_the_call_activity(client: Client) -> None:
    client.deploy(scenario("error_call_activity.bpmn"))
    key = client.create_instance("error_call_parent")
    [job] = client.activate_jobs("child_work", max_jobs=1, timeout=60)
    child = job.process_instance_key
    client.throw_error(job.key, "CHILD_FAILED")
    assert ("error_call_child", "ELEMENT_TERMINATED") in element_trace(client, child)
    trace = element_trace(client, key)
    assert trace.index(("call", "ELEMENT_TERMINATED")) < trace.index(
        ("on_fail", "ELEMENT_ACTIVATING")
    )
    assert completed_elements(client, key)[-2:] == ["recovered", "error_call_parent"]
    # the call activity's timer was canceled with it
    [canceled] = events(client, valueType="TIMER", intent="CANCELED")
    assert canceled["value"]["targetElementId"] == "too_slow"


def test_timer_boundary_on_a_call_activity_terminates_the_child(client: Client) -> None:
    client.deploy(scenario("error_call_activity.bpmn"))
    key = client.create_instance("error_call_parent")
    [job] = client.activate_jobs("child_work", max_jobs=1, timeout=7200)
    client.advance_time(3600)
    assert ("error_call_child", "ELEMENT_TERMINATED") in element_trace(
        client, job.process_instance_key
    )
    assert completed_elements(client, key)[-2:] == ["gave_up", "error_call_parent"]


_RACE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://honeyflow.test">
  <bpmn:error id="err" errorCode="BOOM"/>
  <bpmn:process id="error_race" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="boom"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="m1"/>
    <bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>
    <bpmn:manualTask id="m1"/>
    <bpmn:sequenceFlow id="f4" sourceRef="m1" targetRef="m2"/>
    <bpmn:manualTask id="m2"/>
    <bpmn:sequenceFlow id="f5" sourceRef="m2" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:subProcess id="handler" triggeredByEvent="true">
      <bpmn:startEvent id="caught"><bpmn:errorEventDefinition errorRef="err"/></bpmn:startEvent>
      <bpmn:sequenceFlow id="h1" sourceRef="caught" targetRef="handled"/>
      <bpmn:endEvent id="handled"/>
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


def test_flows_pending_when_an_event_subprocess_interrupts_go_nowhere(client: Client) -> None:
    client.deploy(_RACE)
    key = client.create_instance("error_race")
    done = completed_elements(client, key)
    assert done[-3:] == ["handled", "handler", "error_race"]
    assert "end" not in done
    rejected = [
        r
        for r in client.records()
        if r["recordType"] == "COMMAND_REJECTION" and r["value"].get("processInstanceKey") == key
    ]
    assert all("interrupted" in r["rejectionReason"] for r in rejected)
