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
