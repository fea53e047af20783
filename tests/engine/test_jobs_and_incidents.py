"""Scenarios: job lifecycle (fail, back-off, time-out, retries, error), incidents and their
resolution, variables and mappings."""

from __future__ import annotations

import pytest

from broker.protocol.intents import JobIntent
from clients.client import Client
from clients.commands import job_command
from clients.errors import InvalidArgumentError, InvalidStateError, NotFoundError
from tests.engine.conftest import (
    completed_elements,
    element_trace,
    events,
    scenario,
    send_unchecked,
)


def _one_job(client: Client, job_type: str = "work", timeout: float = 60):  # type: ignore[no-untyped-def]
    jobs = client.activate_jobs(job_type, max_jobs=1, timeout=timeout, worker="w")
    assert len(jobs) == 1
    return jobs[0]


def test_activated_job_goes_to_one_worker_only(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    _one_job(client)
    assert client.activate_jobs("work", max_jobs=5, timeout=60, worker="other") == []
    [batch] = events(client, valueType="JOB_BATCH", intent="ACTIVATED")
    assert batch["value"]["worker"] == "w" and len(batch["value"]["jobKeys"]) == 1


def test_fail_with_retries_makes_the_job_available_again(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    job = _one_job(client)
    client.fail_job(job.key, 2, "try again")
    again = _one_job(client)
    assert again.key == job.key and again.retries == 2
    [failed] = events(client, valueType="JOB", intent="FAILED")
    assert failed["value"]["errorMessage"] == "try again"


def test_back_off_delays_the_next_activation(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    job = _one_job(client)
    client.fail_job(job.key, 1, "later", retry_backoff=30)
    assert client.activate_jobs("work", max_jobs=1, timeout=5) == []
    client.advance_time(29)
    assert client.activate_jobs("work", max_jobs=1, timeout=5) == []
    client.advance_time(2)
    assert _one_job(client).key == job.key
    assert events(client, valueType="JOB", intent="RECURRED_AFTER_BACKOFF")


def test_time_out_returns_the_job_without_using_a_retry(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    job = _one_job(client, timeout=10)
    client.advance_time(11)
    [timed_out] = events(client, valueType="JOB", intent="TIMED_OUT")
    assert timed_out["key"] == job.key
    again = _one_job(client)
    assert (again.key, again.retries) == (job.key, 3)


def test_no_retries_raises_an_incident_resolved_after_updating_retries(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    key = client.create_instance("one_task")
    job = _one_job(client)
    client.fail_job(job.key, 0, "card declined")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    value = incident["value"]
    assert (value["errorType"], value["errorMessage"], value["jobKey"]) == (
        "JOB_NO_RETRIES",
        "card declined",
        job.key,
    )
    assert value["elementId"] == "task" and value["processInstanceKey"] == key
    assert client.activate_jobs("work", max_jobs=1, timeout=5) == []
    with pytest.raises(InvalidStateError):
        client.resolve_incident(incident["key"])
    client.update_job_retries(job.key, 1)
    assert client.activate_jobs("work", max_jobs=1, timeout=5) == []  # still in the incident
    client.resolve_incident(incident["key"])
    client.complete_job(_one_job(client).key)
    assert completed_elements(client, key)[-1] == "one_task"


def test_update_retries_must_be_positive_and_job_must_exist(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    job = _one_job(client)
    with pytest.raises(InvalidArgumentError, match="greater than zero"):
        send_unchecked(client, job_command(JobIntent.UPDATE_RETRIES, job.key, retries=0))
    client.complete_job(job.key)
    with pytest.raises(NotFoundError) as error:
        client.complete_job(job.key)
    assert str(job.key) in error.value.reason
    with pytest.raises(NotFoundError):
        client.update_job_retries(job.key, 3)


def test_unhandled_error_becomes_an_incident(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    job = _one_job(client)
    client.throw_error(job.key, "NO_STOCK", "out of stock")
    [thrown] = events(client, valueType="JOB", intent="ERROR_THROWN")
    assert thrown["value"]["errorCode"] == "NO_STOCK"
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "UNHANDLED_ERROR_EVENT"
    assert "NO_STOCK" in incident["value"]["errorMessage"]


def test_output_mappings_let_only_mapped_values_leave_the_task(client: Client) -> None:
    client.deploy(scenario("mappings.bpmn"))
    key = client.create_instance("mappings", {"order": {"total": 7}})
    job = _one_job(client, "charge")
    assert job.variables["amount"] == 7
    client.complete_job(job.key, {"receipt": {"id": "R-1"}, "noise": 1})
    root = {r["value"]["name"] for r in events(client, valueType="VARIABLE", scopeKey=key)}
    assert root == {"order", "receiptId"}
    assert completed_elements(client, key)[-1] == "mappings"


def test_missing_input_variable_is_an_io_mapping_incident(client: Client) -> None:
    client.deploy(scenario("mappings.bpmn"))
    key = client.create_instance("mappings", {})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "IO_MAPPING_ERROR"
    assert "order" in incident["value"]["errorMessage"]
    client.set_variables(key, {"order": {"total": 1}})
    client.resolve_incident(incident["key"])
    assert _one_job(client, "charge").variables["amount"] == 1


def test_condition_incident_and_resolution(client: Client) -> None:
    client.deploy(scenario("exclusive_no_default.bpmn"))
    key = client.create_instance("exclusive_no_default", {"approved": "maybe"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    # "maybe" = true is null in FEEL: not a boolean, so an EXTRACT_VALUE_ERROR (Zeebe)
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "gw"
    assert incident["value"]["errorMessage"] == (
        "Expected result of the expression 'approved = true' to be 'BOOLEAN', but was 'NULL'."
    )
    client.set_variables(key, {"approved": True})
    client.resolve_incident(incident["key"])
    assert completed_elements(client, key)[-2:] == ["end_yes", "exclusive_no_default"]


def test_set_variables_local_and_propagating(client: Client) -> None:
    client.deploy(scenario("subprocess.bpmn"))
    key = client.create_instance("subprocess", {"outer": 1})
    job = _one_job(client, "inner")
    assert job.variables == {"outer": 1, "local": 42}
    sub_key = next(r["key"] for r in events(client, valueType="PROCESS_INSTANCE", elementId="sub"))
    client.set_variables(sub_key, {"outer": 2, "fresh": 3})
    client.set_variables(sub_key, {"mine": 4}, local=True)
    scopes = {
        r["value"]["name"]: r["value"]["scopeKey"] for r in events(client, valueType="VARIABLE")
    }
    assert scopes["outer"] == key and scopes["fresh"] == key and scopes["mine"] == sub_key
    client.complete_job(job.key, {"result": "ok"})
    trace = element_trace(client, key)
    assert trace[-1] == ("subprocess", "ELEMENT_COMPLETED")
    assert ("sub", "ELEMENT_COMPLETED") in trace


def test_parallel_fork_and_join(client: Client) -> None:
    client.deploy(scenario("parallel.bpmn"))
    key = client.create_instance("parallel")
    client.complete_job(_one_job(client, "a").key)
    assert ("join", "ELEMENT_ACTIVATING") not in element_trace(client, key)
    client.complete_job(_one_job(client, "b").key)
    trace = element_trace(client, key)
    assert trace.count(("join", "ELEMENT_COMPLETED")) == 1
    assert trace[-1] == ("parallel", "ELEMENT_COMPLETED")


@pytest.mark.parametrize(("want_a", "want_b"), [(True, True), (True, False), (False, True)])
def test_inclusive_fork_and_join(client: Client, want_a: bool, want_b: bool) -> None:
    client.deploy(scenario("inclusive.bpmn"))
    key = client.create_instance("inclusive", {"wantA": want_a, "wantB": want_b})
    for job_type, wanted in (("a", want_a), ("b", want_b)):
        if wanted:
            client.complete_job(_one_job(client, job_type).key)
        else:
            assert client.activate_jobs(job_type, max_jobs=1, timeout=5) == []
    trace = element_trace(client, key)
    assert trace.count(("join", "ELEMENT_COMPLETED")) == 1
    assert trace[-1] == ("inclusive", "ELEMENT_COMPLETED")


def test_script_link_and_terminate_end(client: Client) -> None:
    client.deploy(scenario("script_link_terminate.bpmn"))
    key = client.create_instance("script_link_terminate", {"x": 21})
    trace = element_trace(client, key)
    assert ("catch", "ELEMENT_COMPLETED") in trace
    assert ("wait", "ELEMENT_TERMINATED") in trace
    assert trace[-1] == ("script_link_terminate", "ELEMENT_COMPLETED")
    doubled = events(client, valueType="VARIABLE", name="doubled")
    assert doubled[0]["value"]["value"] == "42"


def test_fail_with_variables_sets_them_local_to_the_task(client: Client) -> None:
    """As in Zeebe 8, FailJob's variables become local variables of the job's task, so the
    retried job (and an incident's resolver) sees them; the process scope stays untouched."""
    client.deploy(scenario("one_task.bpmn"))
    key = client.create_instance("one_task", {"attempt": 0})
    job = _one_job(client)
    client.fail_job(job.key, 2, "try again", variables={"attempt": 1, "reason": "busy"})
    created = events(client, valueType="VARIABLE", intent="CREATED", name="reason")
    assert [(r["value"]["scopeKey"], r["value"]["value"]) for r in created] == [
        (job.element_instance_key, '"busy"')
    ]
    again = _one_job(client)
    assert again.variables == {"attempt": 1, "reason": "busy"}
    client.fail_job(again.key, 0, "gave up", variables={"attempt": 2})
    [updated] = events(client, valueType="VARIABLE", intent="UPDATED")
    assert updated["value"]["scopeKey"] == job.element_instance_key
    assert updated["value"]["value"] == "2"
    [process_attempt] = [
        r
        for r in events(client, valueType="VARIABLE", intent="CREATED", name="attempt")
        if r["value"]["scopeKey"] == key
    ]
    assert process_attempt["value"]["value"] == "0"
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorMessage"] == "gave up"
