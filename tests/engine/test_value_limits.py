"""Values beyond what a timer or a variable can hold: a due date past the year 9999, a duration
of millions of years, a number of thousands of digits, a float that is not finite. Each is an
incident on the element that met it (EXTRACT_VALUE_ERROR, IO_MAPPING_ERROR) or, in a command's
own payload, an INVALID_ARGUMENT rejection naming the variable — never an "unexpected error"
and an instance that waits for ever, never `Infinity` in a record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from broker.protocol.intents import JobIntent
from clients import commands as c
from clients.client import Client, connect
from clients.errors import InvalidArgumentError
from tests.engine.conftest import completed_elements, events, scenario


def _incident(client: Client, key: int) -> dict[str, Any]:
    [incident] = events(client, valueType="INCIDENT", intent="CREATED", processInstanceKey=key)
    return dict(incident["value"], key=incident["key"])


def _no_unexpected_errors(client: Client) -> None:
    refused = [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"]
    assert [r for r in refused if r["rejectionType"] == "PROCESSING_ERROR"] == []


def test_a_timer_duration_from_feel_too_long_to_wait_is_an_incident_and_resolves(
    client: Client,
) -> None:
    client.deploy(scenario("value_timer.bpmn"))
    key = client.create_instance("value_timer", {"delay": "P999999999Y"})
    incident = _incident(client, key)
    assert (incident["errorType"], incident["elementId"]) == ("EXTRACT_VALUE_ERROR", "wait")
    assert "delay" in incident["errorMessage"] and "P999999999Y" in incident["errorMessage"]
    _no_unexpected_errors(client)
    client.set_variables(key, {"delay": "PT1S"})
    client.resolve_incident(incident["key"])
    client.advance_time(1)
    assert completed_elements(client, key)[-1] == "value_timer"


@pytest.mark.parametrize(
    ("model", "expression"),
    [
        ("value_timer_date", 'date and time("999999999-12-31T23:59:59Z")'),
        ("value_timer_long", "P9999Y"),
    ],
)
def test_a_due_date_past_the_year_9999_is_an_incident(
    client: Client, model: str, expression: str
) -> None:
    client.deploy(scenario(f"{model}.bpmn"))
    key = client.create_instance(model)
    incident = _incident(client, key)
    assert (incident["errorType"], incident["elementId"]) == ("EXTRACT_VALUE_ERROR", "wait")
    assert expression in incident["errorMessage"]
    if model == "value_timer_long":  # (FEEL may give null for the other: then it says so)
        assert "before the year 10000" in incident["errorMessage"]
    assert events(client, valueType="TIMER") == []
    _no_unexpected_errors(client)


def test_a_static_duration_no_timer_can_wait_for_is_refused_at_deployment(
    client: Client,
) -> None:
    xml = scenario("value_timer_long.bpmn").read_text().replace("P9999Y", "P99999999999999999Y")
    with pytest.raises(InvalidArgumentError) as error:
        client.deploy(xml.encode())
    assert "P99999999999999999Y" in str(error.value) and "10,000 years" in str(error.value)


def test_a_script_result_too_large_for_a_variable_is_an_incident(client: Client) -> None:
    client.deploy(scenario("value_script.bpmn"))
    key = client.create_instance("value_script", {"exponent": 5000})
    incident = _incident(client, key)
    assert (incident["errorType"], incident["elementId"]) == ("EXTRACT_VALUE_ERROR", "wait")
    assert "'10 ** exponent'" in incident["errorMessage"]
    assert "JSON" in incident["errorMessage"]
    _no_unexpected_errors(client)
    client.set_variables(key, {"exponent": 3})
    client.resolve_incident(incident["key"])
    assert completed_elements(client, key)[-1] == "value_script"


def test_an_output_mapping_too_large_for_a_variable_is_an_io_mapping_incident(
    client: Client,
) -> None:
    client.deploy(scenario("value_job.bpmn"))
    key = client.create_instance("value_job")
    [job] = client.activate_jobs("values", max_jobs=1, timeout=60_000)
    client.complete_job(job.key, {"y": 5})
    incident = _incident(client, key)
    assert (incident["errorType"], incident["elementId"]) == ("IO_MAPPING_ERROR", "wait")
    assert "y * 10 ** 4500'" in incident["errorMessage"]
    _no_unexpected_errors(client)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"x": 10**5000}, "variables.x"),
        ({"x": {"deep": [1, 10**4400]}}, "variables.x.deep[1]"),
        ({"x": {1: 2}}, "variables.x"),
        ({"x": {1, 2}}, "variables.x"),
        ({"x": float("inf")}, "variables.x"),
        ({"x": float("nan")}, "variables.x"),
    ],
)
@pytest.mark.parametrize("url", ["memory://", "memory://?partitions=3"])
def test_completing_a_job_with_variables_json_cannot_hold_is_refused_and_the_job_stays(
    url: str, variables: dict[str, Any], named: str
) -> None:
    # In process only: on Kafka the client's codec could not even encode such a command.
    with connect(url) as client:
        _complete_with_bad_variables(client, variables, named)


def _complete_with_bad_variables(client: Client, variables: dict[str, Any], named: str) -> None:
    client.deploy(scenario("value_job.bpmn"))
    key = client.create_instance("value_job")
    [job] = client.activate_jobs("values", max_jobs=1, timeout=60_000)
    # Sent as a raw command: the client refuses such variables before sending.
    command = c.job_command(JobIntent.COMPLETE, job.key, variables=variables)
    response = client.transport.request(command, c.partition_of(job.key), 30.0)
    assert str(response.rejection_type) == "INVALID_ARGUMENT"
    assert named in response.rejection_reason
    for event in events(client):  # every event stays JSON (no Infinity, no NaN)
        json.dumps(event, allow_nan=False)
    client.complete_job(job.key, {"y": 0})  # the job is still there
    assert completed_elements(client, key)[-1] == "value_job"
