"""Scenarios: a script task whose output mapping fails keeps its result through the incident;
resolving runs the mappings again over that result (the script is not evaluated again)."""

from __future__ import annotations

from clients.client import Client
from tests.engine.conftest import completed_elements, events, scenario, variables_of


def test_output_mapping_incident_keeps_the_script_result_on_resolve(client: Client) -> None:
    client.deploy(scenario("script_output.bpmn"))
    key = client.create_instance("script_output", {"x": 21})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "IO_MAPPING_ERROR"
    assert incident["value"]["elementId"] == "calc"
    # the script ran once; a changed input does not change the result already computed
    client.set_variables(key, {"offset": 1, "x": 1000})
    client.resolve_incident(incident["key"])
    assert variables_of(client, key) == {"x": 1000, "offset": 1, "total": 43}
    results = events(client, valueType="VARIABLE", name="doubled")
    assert [r["value"]["value"] for r in results] == ["42"]  # kept, not written again
    assert results[0]["value"]["scopeKey"] == incident["value"]["elementInstanceKey"]
    assert completed_elements(client, key)[-1] == "script_output"
    assert len(events(client, valueType="INCIDENT", intent="CREATED")) == 1


_SCRIPT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="big_number" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />
    <bpmn:scriptTask id="calc">
      <bpmn:extensionElements>
        <zeebe:script expression="={expression}" resultVariable="r" />
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_number_beyond_decimal128_is_null(client: Client) -> None:
    client.deploy(_SCRIPT.format(expression="1e999999999").encode())
    key = client.create_instance("big_number")
    assert variables_of(client, key) == {"r": None}
    assert completed_elements(client, key)[-1] == "big_number"


def test_a_number_too_long_for_json_is_an_incident(client: Client) -> None:
    client.deploy(_SCRIPT.format(expression="1e5000").encode())
    client.create_instance("big_number")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["elementId"] == "calc"
    assert "no JSON form" in incident["value"]["errorMessage"]


def test_an_expression_beyond_the_evaluation_budget_is_an_incident(client: Client) -> None:
    expression = "{f: function(n) if n = 0 then 0 else f(n-1) + f(n-1), r: f(30)}.r"
    client.deploy(_SCRIPT.format(expression=expression).encode())
    client.create_instance("big_number")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["elementId"] == "calc"
    assert "exceeds the limit of 1000000 steps" in incident["value"]["errorMessage"]
