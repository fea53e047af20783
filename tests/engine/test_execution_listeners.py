"""Scenarios: execution listeners (`zeebe:executionListeners`) as Zeebe 8.8 runs them — jobs
of kind EXECUTION_LISTENER, start listeners after the input mappings and before the element's
own work, end listeners after the output mappings and before it leaves, their variables, their
incidents, and their jobs canceled with the element."""

from __future__ import annotations

from typing import Any

import pytest

from clients.client import Client
from clients.errors import InvalidStateError
from clients.results import ActivatedJob
from tests.engine.conftest import completed_elements, element_trace, events, scenario, variables_of


def _job(client: Client, job_type: str) -> ActivatedJob:
    jobs = client.activate_jobs(job_type, max_jobs=1, timeout=60, worker="w")
    assert len(jobs) == 1, f"no job of type {job_type!r}"
    return jobs[0]


def _complete(client: Client, job_type: str, variables: dict[str, Any] | None = None) -> None:
    client.complete_job(_job(client, job_type).key, variables)


def _created_jobs(client: Client) -> list[tuple[str, str, str]]:
    return [
        (r["value"]["type"], r["value"]["jobKind"], r["value"]["jobListenerEventType"])
        for r in events(client, valueType="JOB", intent="CREATED")
    ]


def test_start_listeners_run_before_the_task_and_end_listeners_after_it(client: Client) -> None:
    client.deploy(scenario("listeners_task.bpmn"))
    key = client.create_instance("listeners_task", {"order": {"total": 7}})
    assert ("task", "ELEMENT_ACTIVATED") not in element_trace(client, key)
    check = _job(client, "check")
    assert check.variables["amount"] == 7  # the input mappings come first
    assert check.custom_headers == {"mode": "fast"}  # the element's headers
    assert check.retries == 2
    assert client.activate_jobs("work", max_jobs=1, timeout=60) == []
    client.complete_job(check.key, {"checked": True})
    enrich = _job(client, "enrich")  # the next start listener, after the first
    assert enrich.variables["checked"] is True
    client.complete_job(enrich.key)
    work = _job(client, "work")
    assert work.variables["checked"] is True  # a start listener's variables are local
    client.complete_job(work.key, {"result": "R-1"})
    audit = _job(client, "audit")
    assert audit.variables["receipt"] == "R-1"  # after the output mappings
    assert completed_elements(client, key) == ["start"]
    client.complete_job(audit.key, {"audited": True})
    assert completed_elements(client, key)[-1] == "listeners_task"
    assert _created_jobs(client) == [
        ("check", "EXECUTION_LISTENER", "START"),
        ("enrich", "EXECUTION_LISTENER", "START"),
        ("work", "BPMN_ELEMENT", "UNSPECIFIED"),
        ("audit", "EXECUTION_LISTENER", "END"),
    ]
    root = variables_of(client, key)
    assert root["audited"] is True and root["receipt"] == "R-1"  # an end listener's: outward
    assert "checked" not in root
    task_trace = [i for e, i in element_trace(client, key) if e == "task"]
    assert task_trace == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    commands = [
        r["value"]["elementId"]
        for r in client.records()
        if r["recordType"] == "COMMAND" and r["intent"] == "COMPLETE_EXECUTION_LISTENER"
    ]
    assert commands == ["task", "task", "task"]


def test_listeners_of_the_process_its_scopes_gateways_and_events(client: Client) -> None:
    client.deploy(scenario("listeners_scopes.bpmn"))
    key = client.create_instance("listeners_scopes")
    assert element_trace(client, key) == [("listeners_scopes", "ELEMENT_ACTIVATING")]
    _complete(client, "process-start")
    _complete(client, "started")  # an end listener of the start event
    _complete(client, "decide", {"approved": True})  # decides the gateway's condition
    _complete(client, "sub-start")
    _complete(client, "set-timer", {"delay": "PT5M"})  # the timer reads it
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    assert timer["value"]["dueDate"] - timer["timestamp"] == 5 * 60 * 1000
    client.advance_time(5 * 60 + 1)
    _complete(client, "sub-end")
    assert completed_elements(client, key)[-1] == "end"
    _complete(client, "process-end", {"finished": True})
    assert completed_elements(client, key) == [
        "start",
        "gw",
        "sub_start",
        "wait",
        "sub_end",
        "sub",
        "end",
        "listeners_scopes",
    ]
    assert [t for t, _, _ in _created_jobs(client)] == [
        "process-start",
        "started",
        "decide",
        "sub-start",
        "set-timer",
        "sub-end",
        "process-end",
    ]
    assert variables_of(client, key)["finished"] is True  # the process keeps its own


def test_a_listener_out_of_retries_is_an_execution_listener_incident(client: Client) -> None:
    client.deploy(scenario("listeners_incidents.bpmn"))
    key = client.create_instance("listeners_incidents", {"kind": "a"})
    first = _job(client, "first")
    client.fail_job(first.key, 0, "listener down")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    value = incident["value"]
    assert (value["errorType"], value["errorMessage"], value["jobKey"], value["elementId"]) == (
        "EXECUTION_LISTENER_NO_RETRIES",
        "listener down",
        first.key,
        "task",
    )
    with pytest.raises(InvalidStateError):
        client.resolve_incident(incident["key"])  # the job needs retries first
    client.update_job_retries(first.key, 1)
    client.resolve_incident(incident["key"])
    again = _job(client, "first")
    assert again.key == first.key
    client.complete_job(again.key)
    _complete(client, "second-a")
    _complete(client, "work")
    assert completed_elements(client, key)[-1] == "listeners_incidents"


def test_a_failing_listener_expression_is_an_incident_and_the_step_runs_again(
    client: Client,
) -> None:
    client.deploy(scenario("listeners_incidents.bpmn"))
    key = client.create_instance("listeners_incidents")
    _complete(client, "first")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "kind" in incident["value"]["errorMessage"]
    task = events(client, valueType="PROCESS_INSTANCE", elementId="task")[-1]["key"]
    client.set_variables(task, {"kind": "b"}, local=True)
    client.resolve_incident(incident["key"])
    _complete(client, "first")  # every start listener runs again, as in Zeebe
    _complete(client, "second-b")
    _complete(client, "work")
    assert completed_elements(client, key)[-1] == "listeners_incidents"


def test_throwing_an_error_from_a_listener_job_is_refused(client: Client) -> None:
    client.deploy(scenario("listeners_incidents.bpmn"))
    key = client.create_instance("listeners_incidents", {"kind": "a"})
    first = _job(client, "first")
    with pytest.raises(InvalidStateError) as refused:
        client.throw_error(first.key, "E")
    assert refused.value.reason == (
        f"Cannot throw BPMN error from EXECUTION_LISTENER job with key '{first.key}', type"
        f" 'first' and processInstanceKey '{key}'"
    )


def test_canceling_the_instance_cancels_a_waiting_listener_job(client: Client) -> None:
    client.deploy(scenario("listeners_incidents.bpmn"))
    key = client.create_instance("listeners_incidents", {"kind": "a"})
    first = _job(client, "first")
    client.cancel_instance(key)
    [canceled] = events(client, valueType="JOB", intent="CANCELED")
    assert canceled["key"] == first.key
    assert canceled["value"]["jobKind"] == "EXECUTION_LISTENER"
    assert element_trace(client, key)[-1] == ("listeners_incidents", "ELEMENT_TERMINATED")


def test_end_listeners_of_a_boundary_event(client: Client) -> None:
    client.deploy(scenario("listeners_incidents.bpmn"))
    key = client.create_instance("listeners_incidents", {"kind": "a"})
    _complete(client, "first")
    _complete(client, "second-a")
    client.advance_time(3601)
    after = _job(client, "after-timeout")
    assert after.element_id == "too_late"
    client.complete_job(after.key)
    assert completed_elements(client, key)[-2:] == ["late_end", "listeners_incidents"]


def test_listeners_of_a_multi_instance_activity_run_on_each_inner_instance(
    client: Client,
) -> None:
    client.deploy(scenario("listeners_mi.bpmn"))
    key = client.create_instance("listeners_mi", {"items": [1, 2]})
    for item in (1, 2):
        start = _job(client, "each-start")
        assert start.variables["item"] == item
        client.complete_job(start.key)
        _complete(client, "each")
        _complete(client, "each-end")
    assert completed_elements(client, key)[-1] == "listeners_mi"
    kinds = _created_jobs(client)
    assert (
        kinds
        == [
            ("each-start", "EXECUTION_LISTENER", "START"),
            ("each", "BPMN_ELEMENT", "UNSPECIFIED"),
            ("each-end", "EXECUTION_LISTENER", "END"),
        ]
        * 2
    )
    inner = {
        r["value"]["elementInstanceKey"]
        for r in events(client, valueType="JOB", intent="CREATED", type="each-start")
    }
    assert len(inner) == 2  # one per inner instance, none on the body


def test_replaying_the_log_rebuilds_listener_progress_exactly() -> None:
    from clients.client import connect
    from processors.engine import Engine

    client = connect("memory://")
    client.deploy(scenario("listeners_task.bpmn"), scenario("listeners_incidents.bpmn"))
    client.create_instance("listeners_task", {"order": {"total": 1}})
    _complete(client, "check")  # one of two start listeners done, the second one waits
    client.create_instance("listeners_incidents")
    _complete(client, "first")  # an incident after a listener
    client.create_instance("listeners_task", {"order": {"total": 2}}, start_instructions=["task"])
    runtime = client.transport.runtime  # type: ignore[attr-defined]
    live = runtime.engines[1]
    replayed = Engine(1, 1)
    replayed.replay(runtime.logs[1])
    assert replayed.state.store.dump() == live.state.store.dump()
    [waiting] = [  # the task whose first start listener is done
        r["key"]
        for r in events(client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATING")
        if r["value"]["elementId"] == "task"
    ][:1]
    instance = replayed.state.elements.get(waiting)
    assert instance is not None and instance.listener_index == 1


def test_a_listener_cannot_be_skipped_by_a_command_from_outside(client: Client) -> None:
    from broker.protocol import Record
    from broker.protocol.intents import ProcessInstanceIntent
    from broker.protocol.values import ProcessInstanceRecordValue
    from tests.engine.conftest import send_unchecked

    client.deploy(scenario("listeners_task.bpmn"))
    client.create_instance("listeners_task", {"order": {"total": 7}})
    [task] = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATING", elementId="task"
    )
    [job] = events(client, valueType="JOB", intent="CREATED")
    command = Record.command(
        ProcessInstanceIntent.COMPLETE_EXECUTION_LISTENER,
        ProcessInstanceRecordValue(),
        key=task["key"],
    )
    with pytest.raises(InvalidStateError) as refused:
        send_unchecked(client, command)
    assert f"its job with key '{job['key']}' is still active" in refused.value.reason
    assert [t for t, _, _ in _created_jobs(client)] == ["check"]  # no second listener job
