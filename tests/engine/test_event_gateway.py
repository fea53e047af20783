"""Scenarios: the event-based gateway with two timer catch events — the first to fire wins,
the gateway completes, the flow to it is taken and the other timer is canceled."""

from __future__ import annotations

import pytest

from clients.client import Client
from tests.engine.conftest import completed_elements, element_trace, events, scenario


@pytest.mark.parametrize(
    ("soon", "winner", "loser"), [("PT10S", "soon", "later"), ("PT30S", "later", "soon")]
)
def test_first_timer_wins(client: Client, soon: str, winner: str, loser: str) -> None:
    client.deploy(scenario("event_gateway.bpmn"))
    key = client.create_instance("event_gateway", {"soon": soon})
    created = events(client, valueType="TIMER", intent="CREATED")
    [gateway] = events(
        client, valueType="PROCESS_INSTANCE", elementId="gateway", intent="ELEMENT_ACTIVATED"
    )
    assert {t["value"]["targetElementId"] for t in created} == {"soon", "later"}
    assert {t["value"]["elementInstanceKey"] for t in created} == {gateway["key"]}
    client.advance_time(30)
    [triggered] = events(client, valueType="TIMER", intent="TRIGGERED")
    [canceled] = events(client, valueType="TIMER", intent="CANCELED")
    assert triggered["value"]["targetElementId"] == winner
    assert canceled["value"]["targetElementId"] == loser
    trace = element_trace(client, key)
    flow = "f2" if winner == "soon" else "f3"
    assert trace.index(("gateway", "ELEMENT_COMPLETED")) < trace.index(
        (flow, "SEQUENCE_FLOW_TAKEN")
    )
    assert trace.index((flow, "SEQUENCE_FLOW_TAKEN")) < trace.index((winner, "ELEMENT_ACTIVATING"))
    assert loser not in [e for e, _ in trace]
    assert completed_elements(client, key)[-3:] == [winner, f"end_{winner}", "event_gateway"]


def test_bad_expression_after_the_gateway_is_an_incident_on_the_gateway(client: Client) -> None:
    client.deploy(scenario("event_gateway.bpmn"))
    key = client.create_instance("event_gateway", {"soon": "soon"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "gateway"
    assert not events(client, valueType="TIMER", intent="CREATED")
    client.set_variables(key, {"soon": "PT1S"})
    client.resolve_incident(incident["key"])
    client.advance_time(1)
    assert completed_elements(client, key)[-1] == "event_gateway"
