"""Job types a worker topic cannot hold (empty, too long): a static one is refused at
deployment, one from an expression is an incident on its element (bpmn.job_types)."""

from __future__ import annotations

import pytest

import bpmn
from clients.client import Client
from clients.errors import InvalidArgumentError
from tests.engine.conftest import events

TOO_LONG = "t" * 196


def task_process(job_type: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="typed" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_a_static_job_type_too_long_for_a_topic_name_is_a_validation_error() -> None:
    [problem] = bpmn.validate(task_process(TOO_LONG), source_name="long.bpmn")
    assert problem.element_path == "process 'typed' > serviceTask 'task' > zeebe:taskDefinition"
    assert "Attribute 'type': job type of 196 characters is too long" in problem.message
    # The longest type that fits, and one with characters that need escaping, are fine.
    assert bpmn.validate(task_process("t" * 195), source_name="ok.bpmn") == []
    assert bpmn.validate(task_process("io.camunda:http-json:1"), source_name="ok.bpmn") == []


def test_deploying_a_static_job_type_too_long_is_refused(client: Client) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        client.deploy(task_process(TOO_LONG))
    assert "serviceTask 'task'" in error.value.reason
    assert "too long" in error.value.reason


@pytest.mark.parametrize(
    ("value", "cause"),
    [("", "a job type must not be empty"), (TOO_LONG, "job type of 196 characters is too long")],
)
def test_a_job_type_from_an_expression_that_no_topic_can_hold_is_an_incident(
    client: Client, value: str, cause: str
) -> None:
    client.deploy(task_process("=kind"))
    key = client.create_instance("typed", {"kind": value})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "task"
    assert incident["value"]["processInstanceKey"] == key
    assert incident["value"]["errorMessage"].startswith(
        f"Expected result of the expression 'kind' to be a usable job type, but {cause}"
    )
    assert events(client, valueType="JOB", intent="CREATED") == []
    # Fixed and resolved, the task gets its job.
    client.set_variables(key, {"kind": "work"})
    client.resolve_incident(incident["key"])
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60, worker="w")
    client.complete_job(job.key)
    assert events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_COMPLETED",
        processInstanceKey=key,
        bpmnElementType="PROCESS",
    )


def _with_retries(retries: str) -> bytes:
    return task_process("work").replace(b'type="work"', f'type="work" retries="{retries}"'.encode())


@pytest.mark.parametrize("retries", ["\u00b2", "\uff13"])  # '²' and a fullwidth '３'
def test_static_retries_in_other_than_ascii_digits_are_a_validation_error(retries: str) -> None:
    # str.isdigit() takes both; '²' then failed int() at activation: an "unexpected error"
    # rejection and an instance stuck at the task, after validation had said OK.
    [problem] = bpmn.validate(_with_retries(retries), source_name="r.bpmn")
    assert problem.element_id == "task"
    assert problem.message == (
        f"Expected a non-negative number or an expression for 'retries' but found '{retries}'"
    )


def test_retries_from_an_expression_giving_a_text_of_no_ascii_digits_are_an_incident(
    client: Client,
) -> None:
    client.deploy(_with_retries("=count"))
    key = client.create_instance("typed", {"count": "\u00b2"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["processInstanceKey"] == key
    assert (
        "Expected result of the expression 'count' to be 'NUMBER'"
        in (incident["value"]["errorMessage"])
    )
    assert [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"] == []


def test_static_retries_beyond_a_32_bit_integer_are_a_validation_error() -> None:
    [problem] = bpmn.validate(_with_retries("2147483648"), source_name="r.bpmn")
    assert problem.element_id == "task"
    assert "at most 2147483647" in problem.message
    assert bpmn.validate(_with_retries("2147483647"), source_name="r.bpmn") == []


def test_retries_from_an_expression_beyond_a_32_bit_integer_are_an_incident(
    client: Client,
) -> None:
    # A job with 10**10 retries was created; no client could fail it with retries - 1.
    client.deploy(_with_retries("=count"))
    key = client.create_instance("typed", {"count": 10**10})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["errorMessage"] == (
        "Expected result of the expression 'count' to be a number of retries from -2147483648"
        " to 2147483647 (a 32-bit integer), but was 10000000000."
    )
    assert events(client, valueType="JOB", intent="CREATED") == []
    client.set_variables(key, {"count": 3})
    client.resolve_incident(incident["key"])
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    assert job.retries == 3


def test_retries_from_an_expression_that_is_no_whole_number_say_so(client: Client) -> None:
    client.deploy(_with_retries("=count"))
    client.create_instance("typed", {"count": 1.5})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    # It said "to be 'NUMBER', but was 'NUMBER'".
    assert incident["value"]["errorMessage"] == (
        "Expected result of the expression 'count' to be a whole 'NUMBER', but was 1.5."
    )
