"""Scenarios: the loop guard — endless loops in a model (a cycle of gateways, a cycle through a
timer that is due at once, a cycle repeating at the same instant) stop with an incident or a
deployment error naming the element, and every call of the in-process runtime returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import TimerIntent
from broker.protocol.values import TimerRecordValue
from clients.client import Client, connect
from clients.errors import InvalidArgumentError
from processors.engine import Engine, loop_guard
from tests.engine.conftest import element_trace, events, scenario
from tests.engine.conftest_kafka import kafka_scenario_client

STEPS = 1_000


@pytest.fixture(params=["memory://", "memory://?partitions=3"])
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    """In process only: these tests change the engine's module state (monkeypatch), which the
    engine processes of the Kafka variant do not share."""
    with connect(request.param) as connected:
        yield connected


@pytest.fixture(autouse=True)
def _fewer_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard's bound, lowered so the scenarios stay quick (10,000 in production)."""
    monkeypatch.setattr(loop_guard, "MAX_STEPS_IN_A_ROW", STEPS)


def _incident(client: Client) -> dict[str, Any]:
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    return dict(incident["value"], key=incident["key"])


def test_a_cycle_through_a_zero_duration_timer_stops_with_an_incident(client: Client) -> None:
    client.deploy(scenario("loop_timer_zero.bpmn"))
    key = client.create_instance("loop_timer_zero")  # returns: the loop is cut
    incident = _incident(client)
    assert incident["processInstanceKey"] == key
    assert incident["errorType"] == "UNKNOWN"
    assert incident["elementId"] in ("join", "tick")
    assert f"element '{incident['elementId']}'" in incident["errorMessage"]
    assert "endless loop" in incident["errorMessage"]
    ticks = events(client, valueType="TIMER", intent="TRIGGERED")
    # Each round (gateway, timer catch, its trigger, ...) takes a few of the steps allowed.
    assert STEPS // 10 < len(ticks) < STEPS
    trace = element_trace(client, key)
    assert trace[-1] == (incident["elementId"], "ELEMENT_ACTIVATING")
    # Resolving goes on for another round of steps, then stops again.
    client.resolve_incident(incident["key"])
    assert len(events(client, valueType="INCIDENT", intent="CREATED")) == 2
    assert len(events(client, valueType="TIMER", intent="TRIGGERED")) > len(ticks) + STEPS // 10


def test_a_cycle_of_gateways_stops_with_an_incident_not_a_rejection(client: Client) -> None:
    client.deploy(scenario("loop_gateways.bpmn"))
    key = client.create_instance("loop_gateways", {"stop": False})
    incident = _incident(client)
    assert incident["processInstanceKey"] == key
    assert incident["elementId"] in ("join", "again")
    assert "endless loop" in incident["errorMessage"]
    rejections = [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"]
    assert rejections == []


def test_tokens_doubling_in_a_cycle_are_cut_off_at_the_batch_bound(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loop_guard, "MAX_COMMANDS_PER_BATCH", 2_000)
    client.deploy(scenario("loop_fork_bomb.bpmn"))
    client.create_instance("loop_fork_bomb")  # returns: the batch is cut
    refused = [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"]
    assert [r["rejectionType"] for r in refused] == ["PROCESSING_ERROR"]
    assert "more than 2000 follow-up commands" in refused[0]["rejectionReason"]
    commands = [r for r in client.records() if r["recordType"] == "COMMAND"]
    assert len(commands) < 2_000 * 3  # what the batch wrote before it was cut


def test_a_start_timer_repeating_forever_at_one_instant_is_refused_at_deployment() -> None:
    static = scenario("loop_start_timer_zero_feel.bpmn").read_text()
    static = static.replace('="R/" + "PT0S"', "R/PT0S").replace("_feel", "")
    with connect("memory://") as client:
        with pytest.raises(InvalidArgumentError) as error:
            client.deploy(static.encode())
        assert "every_instant" in str(error.value)
        assert "R/PT0S" in str(error.value)
        with pytest.raises(InvalidArgumentError) as error:
            client.deploy(scenario("loop_start_timer_zero_feel.bpmn"))
        assert "R/PT0S" in str(error.value)
        assert events(client, valueType="TIMER") == []


def test_a_boundary_cycle_repeating_forever_at_one_instant_is_an_incident(
    client: Client,
) -> None:
    client.deploy(scenario("loop_boundary_cycle.bpmn"))
    key = client.create_instance("loop_boundary_cycle", {"every": "R/PT0S"})
    incident = _incident(client)
    assert incident["processInstanceKey"] == key
    assert incident["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["elementId"] == "work"
    assert "R/PT0S" in incident["errorMessage"]
    assert events(client, valueType="TIMER", intent="TRIGGERED") == []


def test_a_due_command_the_engine_refuses_is_not_asked_again_until_time_moves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ghost = Record.command(TimerIntent.TRIGGER, TimerRecordValue(), key=12345)
    monkeypatch.setattr(Engine, "due_commands", lambda self, now_ms: [ghost])
    with connect("memory://") as client:
        client.advance_time(1)  # returns although the engine keeps calling the timer due
        client.advance_time(1)
        refused = [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"]
    assert [r["rejectionType"] for r in refused] == ["NOT_FOUND"] * 2


@pytest.mark.kafka
def test_on_kafka_a_zero_duration_timer_cycle_is_cut_and_the_partition_goes_on(
    request: pytest.FixtureRequest,
) -> None:
    """With the production bound, in engine processes: the cycle ends in an incident within
    one batch, and the partition serves the next instance."""
    for kafka_client in kafka_scenario_client(request):
        kafka_client.deploy(scenario("loop_timer_zero.bpmn"), scenario("loop_gateways.bpmn"))
        # One batch of 10,000 steps (some 50,000 records) answers once it is committed: that
        # can take more than the default 30 s on a busy machine.
        looping = kafka_client.create_instance("loop_timer_zero", timeout=300)
        incident = _incident(kafka_client)
        assert incident["processInstanceKey"] == looping
        assert "endless loop" in incident["errorMessage"]
        done = kafka_client.create_instance("loop_gateways", {"stop": True})
        assert ("loop_gateways", "ELEMENT_COMPLETED") in element_trace(kafka_client, done)


def test_a_timer_due_at_once_is_triggered_in_its_batch_and_no_other(client: Client) -> None:
    """Two instances whose timers come due together: the first one's batch triggers its own
    zero-duration timer, not the second one's timer, which the due date checker listed."""
    client.deploy(scenario("timer_then_zero.bpmn"))
    keys = [client.create_instance("timer_then_zero") for _ in range(2)]
    client.advance_time(10)
    for key in keys:
        assert [e for e, i in element_trace(client, key) if i == "ELEMENT_COMPLETED"][-1] == (
            "timer_then_zero"
        )
    assert [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"] == []
    triggers = [
        r
        for r in client.records()
        if r["valueType"] == "TIMER" and r["intent"] == "TRIGGER" and r["recordType"] == "COMMAND"
    ]
    assert len(triggers) == 4
