"""Signal scenarios through the client (1 and 3 partitions): signal start events (one instance
per broadcast, on the partition that took it), intermediate catch, boundary events, event
subprocesses, throw and end events broadcasting to other instances, no buffering, name
expressions and their incidents, and distribution to every partition with re-sending (which
covers deployments too)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from clients.client import Client, connect
from clients.commands import signal_command
from clients.errors import InvalidArgumentError
from clients.testing import assert_instance
from processors.engine import Engine
from tests.engine.conftest import (
    completed_elements,
    element_trace,
    events,
    scenario,
    send_unchecked,
    variables_of,
)


def _intents(client: Client, value_type: str, **match: Any) -> list[str]:
    return [r["intent"] for r in events(client, valueType=value_type, **match)]


def _partitions(client: Client) -> set[int]:
    return set(range(1, client.transport.partition_count + 1))


def _started(client: Client, process_id: str) -> list[dict[str, Any]]:
    return events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
        bpmnProcessId=process_id,
    )


def test_a_signal_start_event_starts_one_instance_per_broadcast(client: Client) -> None:
    client.deploy(scenario("signal_start.bpmn"))
    created = events(client, valueType="SIGNAL_SUBSCRIPTION", intent="CREATED")
    assert {r["partitionId"] for r in created} == _partitions(client)  # on every partition
    assert {r["value"]["catchEventInstanceKey"] for r in created} == {-1}
    key = client.broadcast_signal("start-batch", {"batch": "b-1"})
    [started] = _started(client, "signal_start")
    # Zeebe: only the partition that took the broadcast starts instances
    assert started["partitionId"] == 1
    instance = started["value"]["processInstanceKey"]
    assert variables_of(client, instance) == {"batch": "b-1"}
    assert "on_signal" in completed_elements(client, instance)
    broadcasted = events(client, valueType="SIGNAL", intent="BROADCASTED")
    assert {r["key"] for r in broadcasted} == {key}
    assert {r["partitionId"] for r in broadcasted} == _partitions(client)
    client.broadcast_signal("start-batch")
    assert len(_started(client, "signal_start")) == 2


def test_a_new_version_replaces_the_signal_start_subscriptions(client: Client) -> None:
    client.deploy(scenario("signal_start.bpmn"))
    client.deploy(scenario("signal_start.bpmn").read_bytes().replace(b"handle-batch", b"v2"))
    deleted = events(client, valueType="SIGNAL_SUBSCRIPTION", intent="DELETED")
    assert {r["partitionId"] for r in deleted} == _partitions(client)
    client.broadcast_signal("start-batch")
    [started] = _started(client, "signal_start")
    assert started["value"]["version"] == 2


def test_an_intermediate_catch_event_waits_for_its_signal(client: Client) -> None:
    client.deploy(scenario("signal_catch.bpmn"))
    key = client.create_instance("signal_catch", {"batch": "b-7"})
    [subscription] = events(client, valueType="SIGNAL_SUBSCRIPTION", intent="CREATED")
    assert subscription["value"]["signalName"] == "release-b-7"  # a FEEL name
    client.broadcast_signal("release-b-8")
    assert "wait_release" not in completed_elements(client, key)
    client.broadcast_signal("release-b-7", {"amount": 3})
    assert "signal_catch" in completed_elements(client, key)
    assert variables_of(client, key)["amount"] == 3
    assert _intents(client, "SIGNAL_SUBSCRIPTION") == ["CREATED", "DELETED"]


def test_signals_are_not_buffered(client: Client) -> None:
    client.deploy(scenario("signal_catch.bpmn"))
    client.broadcast_signal("release-b-1")
    key = client.create_instance("signal_catch", {"batch": "b-1"})
    assert "wait_release" not in completed_elements(client, key)


def test_a_signal_name_that_fails_is_an_incident(client: Client) -> None:
    client.deploy(scenario("signal_catch.bpmn"))
    key = client.create_instance("signal_catch", {"batch": None})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "wait_release"
    client.set_variables(key, {"batch": "b-2"})
    client.resolve_incident(incident["key"])
    client.broadcast_signal("release-b-2")
    assert "signal_catch" in completed_elements(client, key)


def test_a_broadcast_without_a_name_is_rejected(client: Client) -> None:
    with pytest.raises(InvalidArgumentError, match="name is empty"):
        send_unchecked(client, signal_command("", {}))


def test_interrupting_and_non_interrupting_signal_boundary_events(client: Client) -> None:
    client.deploy(scenario("signal_boundary.bpmn"))
    key = client.create_instance("signal_boundary")
    client.broadcast_signal("ping", {"pinged": True})
    client.broadcast_signal("ping")
    done = completed_elements(client, key)
    assert done.count("ping_end") == 2 and "work" not in done
    assert variables_of(client, key)["pinged"] is True
    client.broadcast_signal("abort")
    trace = element_trace(client, key)
    assert ("work", "ELEMENT_TERMINATED") in trace
    assert "abort_end" in completed_elements(client, key)
    assert "signal_boundary" in completed_elements(client, key)
    assert _intents(client, "SIGNAL_SUBSCRIPTION")[-2:] == ["DELETED", "DELETED"]
    assert client.activate_jobs("work", max_jobs=1, timeout=10) == []


def test_signal_event_subprocesses(client: Client) -> None:
    client.deploy(scenario("signal_event_subprocess.bpmn"))
    key = client.create_instance("signal_event_subprocess")
    client.broadcast_signal("status")
    assert "report" in completed_elements(client, key)
    assert "signal_event_subprocess" not in completed_elements(client, key)
    client.broadcast_signal("shutdown")
    assert ("work", "ELEMENT_TERMINATED") in element_trace(client, key)
    assert "stop" in completed_elements(client, key)
    assert "signal_event_subprocess" in completed_elements(client, key)


def test_throw_and_end_events_broadcast_to_other_instances(client: Client) -> None:
    client.deploy(
        scenario("signal_catch.bpmn"), scenario("signal_throw.bpmn"), scenario("signal_start.bpmn")
    )
    waiting = [client.create_instance("signal_catch", {"batch": "b-9"}) for _ in range(3)]
    thrower = client.create_instance("signal_throw", {"batch": "b-9"})
    assert completed_elements(client, thrower)[-1] == "signal_throw"
    for key in waiting:  # on every partition (round-robin creation)
        assert "signal_catch" in completed_elements(client, key)
        assert variables_of(client, key)["released"] == 42  # the throw event's local variables
    names = {r["value"]["signalName"] for r in events(client, valueType="SIGNAL")}
    assert names == {"release-b-9", "batch-done"}  # the end event broadcast too


def test_a_signal_throw_name_that_fails_is_an_incident(client: Client) -> None:
    client.deploy(scenario("signal_throw.bpmn"))
    key = client.create_instance("signal_throw", {})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "release"
    assert _intents(client, "SIGNAL") == []
    client.set_variables(key, {"batch": "x"})
    client.resolve_incident(incident["key"])
    assert "signal_throw" in completed_elements(client, key)


def test_a_lost_distribution_is_sent_again_and_received_once() -> None:
    """Drop the first broadcast sent to partition 2 and the first acknowledgement from
    partition 3: both partitions get the signal again after the resend time; partition 3
    triggers nothing twice."""
    with connect("memory://?partitions=3") as client:
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        dropped: list[str] = []

        def lossy(partition: int, lose: str, target: int) -> None:
            engine = runtime.engines[partition]
            process = engine.process

            def wrapper(*args: object, **kwargs: object) -> object:
                result = process(*args, **kwargs)
                kept = tuple(
                    (p, c)
                    for p, c in result.outbound
                    if not (
                        f"{c.value_type.value} {c.intent.value}" == lose
                        and p == target
                        and lose not in dropped
                    )
                )
                if len(kept) != len(result.outbound):
                    dropped.append(lose)
                return dataclasses.replace(result, outbound=kept)

            engine.process = wrapper

        client.deploy(scenario("signal_catch.bpmn"))
        waiting = [client.create_instance("signal_catch", {"batch": "r"}) for _ in range(3)]
        lossy(1, "SIGNAL BROADCAST", 2)
        lossy(3, "COMMAND_DISTRIBUTION ACKNOWLEDGE", 1)
        client.broadcast_signal("release-r")
        assert dropped == ["SIGNAL BROADCAST", "COMMAND_DISTRIBUTION ACKNOWLEDGE"]
        on_2 = next(k for k in waiting if k >> 51 == 2)
        assert "signal_catch" not in completed_elements(client, on_2)
        client.advance_time(11)
        for key in waiting:
            assert "signal_catch" in completed_elements(client, key)
        broadcasted = events(client, valueType="SIGNAL", intent="BROADCASTED")
        assert sorted(r["partitionId"] for r in broadcasted) == [1, 2, 3]
        distribution = [
            (r["intent"], r["value"]["partitionId"])
            for r in events(client, valueType="COMMAND_DISTRIBUTION")
            if r["key"] == broadcasted[0]["key"]
        ]
        assert distribution.count(("DISTRIBUTING", 2)) == 2  # sent again
        assert distribution.count(("DISTRIBUTING", 3)) == 2
        assert distribution.count(("ACKNOWLEDGED", 3)) == 1
        assert distribution[-1][0] == "FINISHED"
        assert runtime.engines[1].state.distributions.pending() == []
        for partition, live in runtime.engines.items():  # replay rebuilds every partition
            replayed = Engine(partition, 3)
            replayed.replay(runtime.logs[partition])
            assert replayed.state.store.dump() == live.state.store.dump()


def test_a_lost_deployment_distribution_is_sent_again() -> None:
    """The same re-sending covers deployments: a partition that missed the deployment gets it
    after the resend time and can then start instances and open signal start subscriptions."""
    with connect("memory://?partitions=3") as client:
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        engine = runtime.engines[1]
        process = engine.process
        lost: list[int] = []

        def wrapper(*args: object, **kwargs: object) -> object:
            result = process(*args, **kwargs)
            kept = []
            for target, command in result.outbound:
                if command.value_type.value == "DEPLOYMENT" and target == 3 and not lost:
                    lost.append(target)
                    continue
                kept.append((target, command))
            return dataclasses.replace(result, outbound=tuple(kept))

        engine.process = wrapper
        client.deploy(scenario("signal_start.bpmn"))
        created = events(client, valueType="SIGNAL_SUBSCRIPTION", intent="CREATED")
        assert lost == [3] and {r["partitionId"] for r in created} == {1, 2}
        client.advance_time(11)
        created = events(client, valueType="SIGNAL_SUBSCRIPTION", intent="CREATED")
        assert {r["partitionId"] for r in created} == {1, 2, 3}
        assert [r["partitionId"] for r in events(client, valueType="DEPLOYMENT")] == [1, 2, 3]
        assert engine.state.distributions.pending() == []


def test_a_broadcast_with_a_key_of_its_own_partition_is_no_new_signal() -> None:
    from broker.protocol import Record, encode_key
    from broker.protocol.intents import SignalIntent
    from broker.protocol.values import SignalRecordValue

    engine = Engine(1, 3)
    command = Record.command(
        SignalIntent.BROADCAST, SignalRecordValue(signal_name="s"), key=encode_key(1, 5)
    )
    answer = engine.process(command, 0, request_id=1).responses[1]
    assert answer.is_rejection and "no partition is waiting for it" in answer.rejection_reason


def test_a_signal_end_event_is_caught_by_its_own_subprocess_boundary(client: Client) -> None:
    # Zeebe broadcasts before the end event completes, so the subprocess is still active when
    # the signal arrives and its interrupting boundary event takes over (#10 item 15); the end
    # event, inside the interrupted subprocess, is terminated with it.
    client.deploy(scenario("signal_end_in_subprocess.bpmn"))
    key = client.create_instance("signal_end_in_subprocess")
    assert_instance(client, key).is_completed().has_passed("on_stop", "stopped_end")
    assert_instance(client, key).has_not_passed("normal_end").has_no_incidents()
    trace = element_trace(client, key)
    assert ("sub", "ELEMENT_TERMINATED") in trace and ("sub", "ELEMENT_COMPLETED") not in trace
    assert ("throw_stop", "ELEMENT_TERMINATED") in trace
    broadcasts = events(client, valueType="SIGNAL", intent="BROADCASTED")
    assert {r["value"]["signalName"] for r in broadcasts} == {"stop"}


def test_a_signal_thrown_in_a_scope_starts_its_interrupting_event_subprocess(
    client: Client,
) -> None:
    # The throw event's completion is queued after the broadcast; by then the event
    # subprocess has interrupted the scope, so the throw event is terminated instead of
    # taking its flow (Zeebe: no element of an interrupted scope completes).
    client.deploy(scenario("signal_throw_own_event_subprocess.bpmn"))
    key = client.create_instance("signal_throw_own_event_subprocess")
    assert_instance(client, key).is_completed().has_passed("abort_start", "aborted", "on_abort")
    assert_instance(client, key).has_not_passed("work", "end").has_no_incidents()
    assert ("throw_abort", "ELEMENT_TERMINATED") in element_trace(client, key)
