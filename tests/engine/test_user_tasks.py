"""Scenarios: a user task without `zeebe:userTask` is Zeebe's job-based user task — a job of
type `io.camunda.zeebe:userTask` with one retry whose headers carry the task's form key,
assignment and dates (Zeebe's header names) next to its own task headers."""

from __future__ import annotations

from clients.client import Client
from tests.engine.conftest import events, scenario


def test_job_based_user_task_carries_form_assignment_and_dates_as_headers(client: Client) -> None:
    client.deploy(scenario("user_task.bpmn"))
    instance = client.create_instance("user_task")
    [job] = client.activate_jobs("io.camunda.zeebe:userTask", max_jobs=5, timeout=60)
    assert job.retries == 1 and job.element_id == "review"
    assert job.custom_headers == {
        "priority": "high",
        "io.camunda.zeebe:formKey": "camunda-forms:bpmn:review_form",
        "io.camunda.zeebe:assignee": "demo",
        "io.camunda.zeebe:candidateGroups": '["clerks","managers"]',
        "io.camunda.zeebe:candidateUsers": '["ann"]',
        "io.camunda.zeebe:dueDate": "2030-01-31T12:00:00Z",
    }
    client.complete_job(job.key, {"approved": True})
    assert events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_COMPLETED",
        bpmnElementType="PROCESS",
        processInstanceKey=instance,
    )


def test_assignment_and_dates_from_expressions_are_evaluated_when_the_job_is_created(
    client: Client,
) -> None:
    client.deploy(scenario("user_task_expressions.bpmn"))
    client.create_instance(
        "user_task_expressions",
        {"owner": "ann", "teams": ["sales", "audit"], "due": "2030-02-01T09:00:00+01:00"},
    )
    [job] = client.activate_jobs("io.camunda.zeebe:userTask", max_jobs=5, timeout=60)
    assert job.custom_headers == {
        "io.camunda.zeebe:assignee": "ann",
        "io.camunda.zeebe:candidateGroups": '["sales","audit"]',
        "io.camunda.zeebe:dueDate": "2030-02-01T09:00:00+01:00",
    }


def test_an_assignment_of_the_wrong_type_is_an_incident_resolved_by_fixing_it(
    client: Client,
) -> None:
    client.deploy(scenario("user_task_expressions.bpmn"))
    instance = client.create_instance(
        "user_task_expressions", {"owner": "ann", "teams": "sales", "due": None}
    )
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["errorMessage"] == (
        "Expected result of the expression 'teams' to be 'ARRAY', but was 'STRING'."
    )
    client.set_variables(instance, {"teams": ["sales"]})
    client.resolve_incident(incident["key"])
    [job] = client.activate_jobs("io.camunda.zeebe:userTask", max_jobs=5, timeout=60)
    assert job.custom_headers == {
        "io.camunda.zeebe:assignee": "ann",
        "io.camunda.zeebe:candidateGroups": '["sales"]',
    }
