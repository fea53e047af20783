"""Message correlation scenarios through the client (1 and 3 partitions): publish before and
after the subscription opens, TTL expiry, message id deduplication, receive tasks, boundary
events, event subprocesses, event-based gateways and correlation key incidents."""

from __future__ import annotations

import pytest

from clients.client import Client
from clients.errors import AlreadyExistsError
from processors.engine.message_partition import correlation_key_hash, message_partition
from tests.engine.conftest import completed_elements, events, scenario, variables_of


def _intents(client: Client, value_type: str) -> list[str]:
    return [r["intent"] for r in events(client, valueType=value_type)]


def test_message_partition_follows_zeebe_routing() -> None:
    assert correlation_key_hash("a") == 97
    assert correlation_key_hash("order-123") == -392797389  # Java "order-123".hashCode()
    assert message_partition("order-123", 3) == 1 + abs(-392797389) % 3
    assert {message_partition(f"k-{i}", 3) for i in range(20)} == {1, 2, 3}
    assert message_partition("anything", 1) == 1


def test_subscribe_then_publish_correlates_and_sets_the_variables(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"))
    key = client.create_instance("message_catch", {"order": {"id": "o-1"}})
    assert _intents(client, "PROCESS_MESSAGE_SUBSCRIPTION") == ["CREATING", "CREATED"]
    assert _intents(client, "MESSAGE_SUBSCRIPTION") == ["CREATED"]
    client.publish_message("payment-received", "o-1", {"amount": 10})
    assert "message_catch" in completed_elements(client, key)
    assert variables_of(client, key)["amount"] == 10
    assert _intents(client, "MESSAGE_SUBSCRIPTION") == ["CREATED", "CORRELATING", "CORRELATED"]
    assert _intents(client, "PROCESS_MESSAGE_SUBSCRIPTION")[-1] == "CORRELATED"
    subscription = events(client, valueType="MESSAGE_SUBSCRIPTION", intent="CREATED")[0]
    assert subscription["partitionId"] == message_partition("o-1", client.transport.partition_count)
    assert subscription["value"]["correlationKey"] == "o-1"


def test_a_message_for_nobody_with_ttl_zero_expires_at_once(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"))
    client.publish_message("payment-received", "o-2", {"amount": 1})
    key = client.create_instance("message_catch", {"order": {"id": "o-2"}})
    assert _intents(client, "MESSAGE") == ["PUBLISHED", "EXPIRED"]
    assert "message_catch" not in completed_elements(client, key)


def test_publish_then_subscribe_takes_the_buffered_message(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"))
    client.publish_message("payment-received", "o-3", {"amount": 3}, ttl=60)
    key = client.create_instance("message_catch", {"order": {"id": "o-3"}})
    assert "message_catch" in completed_elements(client, key)
    assert variables_of(client, key)["amount"] == 3
    # a buffered message goes to one instance of a process only (Zeebe's rule)
    second = client.create_instance("message_catch", {"order": {"id": "o-3"}})
    assert "wait_payment" not in completed_elements(client, second)


def test_a_buffered_message_expires_at_its_deadline(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"))
    client.publish_message("payment-received", "o-4", ttl=30)
    client.advance_time(31)
    assert _intents(client, "MESSAGE") == ["PUBLISHED", "EXPIRED"]
    key = client.create_instance("message_catch", {"order": {"id": "o-4"}})
    assert "wait_payment" not in completed_elements(client, key)


def test_due_messages_expire_in_a_batch(client: Client) -> None:
    """Zeebe's TTL checker: one MESSAGE_BATCH EXPIRE command per partition with the keys of
    the due messages, and MESSAGE EXPIRED (with the message) for each of them."""
    keys = [client.publish_message("nobody-waits", f"k-{i}", {"i": i}, ttl=30) for i in range(4)]
    later = client.publish_message("nobody-waits", "k-late", ttl=90)
    client.advance_time(31)
    batches = [
        r
        for r in client.records()
        if r["valueType"] == "MESSAGE_BATCH" and r["recordType"] == "COMMAND"
    ]
    assert [b["intent"] for b in batches] == ["EXPIRE"] * len({b["partitionId"] for b in batches})
    assert sorted(k for b in batches for k in b["value"]["messageKeys"]) == sorted(keys)
    expired = events(client, valueType="MESSAGE", intent="EXPIRED")
    assert sorted(r["key"] for r in expired) == sorted(keys)
    assert {r["value"]["variables"]["i"] for r in expired} == {0, 1, 2, 3}
    for record in expired:
        [batch] = [b for b in batches if record["key"] in b["value"]["messageKeys"]]
        assert record["sourceRecordPosition"] == batch["position"]
    client.advance_time(60)
    assert [r["key"] for r in events(client, valueType="MESSAGE", intent="EXPIRED")][4:] == [later]


def test_a_message_id_is_unique_while_the_message_is_buffered(client: Client) -> None:
    client.publish_message("ping", "k", message_id="m-1", ttl=10)
    with pytest.raises(AlreadyExistsError, match="m-1"):
        client.publish_message("ping", "k", message_id="m-1", ttl=10)
    client.publish_message("ping", "other-key", message_id="m-1", ttl=10)
    client.advance_time(11)
    client.publish_message("ping", "k", message_id="m-1", ttl=10)  # the first one expired


def test_a_numeric_correlation_key_and_a_receive_task_with_output_mapping(client: Client) -> None:
    client.deploy(scenario("receive_task.bpmn"))
    key = client.create_instance("receive_task", {"orderId": 4711})
    client.publish_message("shipped", "4711", {"tracking": "TR-1", "noise": True})
    assert "receive_task" in completed_elements(client, key)
    variables = variables_of(client, key)
    assert variables["trackingNumber"] == "TR-1" and "noise" not in variables


def test_a_bad_correlation_key_is_an_incident_that_can_be_resolved(client: Client) -> None:
    client.deploy(scenario("receive_task.bpmn"))
    key = client.create_instance("receive_task", {"orderId": True})
    incident = events(client, valueType="INCIDENT", intent="CREATED")[0]
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "wait_shipped"
    assert "correlation key for 'orderId'" in incident["value"]["errorMessage"]
    assert not events(client, valueType="PROCESS_MESSAGE_SUBSCRIPTION")
    client.set_variables(key, {"orderId": "o-9"})
    client.resolve_incident(incident["key"])
    client.publish_message("shipped", "o-9", {"tracking": "TR-9"})
    assert "receive_task" in completed_elements(client, key)


def test_a_missing_correlation_key_variable_is_an_incident(client: Client) -> None:
    client.deploy(scenario("receive_task.bpmn"))
    client.create_instance("receive_task")
    incident = events(client, valueType="INCIDENT", intent="CREATED")[0]
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "orderId" in incident["value"]["errorMessage"]


def test_non_interrupting_then_interrupting_message_boundary(client: Client) -> None:
    client.deploy(scenario("message_boundary.bpmn"))
    key = client.create_instance("message_boundary", {"orderId": "b-1"})
    client.publish_message("remind", "b-1", {"reminded": 1})
    client.publish_message("remind", "b-1", {"reminded": 2})
    assert completed_elements(client, key).count("remind_end") == 2
    client.publish_message("cancel-order", "b-1")
    done = completed_elements(client, key)
    assert "cancel_end" in done and "message_boundary" in done and "done" not in done
    # leaving the activity closed every subscription on both partitions
    assert _intents(client, "MESSAGE_SUBSCRIPTION").count("DELETED") == 1
    assert _intents(client, "PROCESS_MESSAGE_SUBSCRIPTION")[-1] == "DELETED"


def test_completing_the_activity_closes_its_message_subscriptions(client: Client) -> None:
    client.deploy(scenario("message_boundary.bpmn"))
    key = client.create_instance("message_boundary", {"orderId": "b-2"})
    job = client.activate_jobs("work", max_jobs=1, timeout=60)[0]
    client.complete_job(job.key)
    assert "done" in completed_elements(client, key)
    assert _intents(client, "MESSAGE_SUBSCRIPTION").count("DELETED") == 2
    client.publish_message("cancel-order", "b-2", ttl=0)
    assert "cancel_end" not in completed_elements(client, key)


def test_an_interrupting_message_event_subprocess(client: Client) -> None:
    client.deploy(scenario("message_event_subprocess.bpmn"))
    key = client.create_instance("message_event_subprocess", {"orderId": "e-1"})
    client.publish_message("abort", "e-1", {"reason": "customer"})
    done = completed_elements(client, key)
    assert "aborted" in done and "message_event_subprocess" in done and "done" not in done
    assert variables_of(client, key)["reason"] == "customer"


def test_event_based_gateway_message_wins_over_timer(client: Client) -> None:
    client.deploy(scenario("message_event_gateway.bpmn"))
    key = client.create_instance("message_event_gateway", {"requestId": "r-1"})
    client.publish_message("answer", "r-1", {"answer": 42})
    assert "end_answered" in completed_elements(client, key)
    assert _intents(client, "TIMER")[-1] == "CANCELED"
    assert variables_of(client, key)["answer"] == 42


def test_event_based_gateway_timer_wins_and_closes_the_subscription(client: Client) -> None:
    client.deploy(scenario("message_event_gateway.bpmn"))
    key = client.create_instance("message_event_gateway", {"requestId": "r-2"})
    client.advance_time(61)
    assert "end_timed_out" in completed_elements(client, key)
    assert _intents(client, "MESSAGE_SUBSCRIPTION")[-1] == "DELETED"


def test_a_lost_subscription_command_is_sent_again_until_acknowledged() -> None:
    """Crossing partitions is at-least-once: drop the first MESSAGE_SUBSCRIPTION CREATE and
    the first PROCESS_MESSAGE_SUBSCRIPTION CORRELATE; both are re-sent after the timeout."""
    import dataclasses

    from clients.client import connect

    key_on_2 = next(k for k in (f"r-{i}" for i in range(50)) if message_partition(k, 3) == 2)
    with connect("memory://?partitions=3") as client:
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        dropped: list[str] = []

        def lossy(engine: object, lose: str) -> None:
            process = engine.process  # type: ignore[attr-defined]

            def wrapper(*args: object, **kwargs: object) -> object:
                result = process(*args, **kwargs)
                kept = tuple(
                    (p, c)
                    for p, c in result.outbound
                    if f"{c.value_type.value} {c.intent.value}" != lose or lose in dropped
                )
                if len(kept) != len(result.outbound):
                    dropped.append(lose)
                return dataclasses.replace(result, outbound=kept)

            engine.process = wrapper  # type: ignore[attr-defined]

        lossy(runtime.engines[1], "MESSAGE_SUBSCRIPTION CREATE")
        lossy(runtime.engines[2], "PROCESS_MESSAGE_SUBSCRIPTION CORRELATE")
        client.deploy(scenario("message_catch.bpmn"))
        key = client.create_instance("message_catch", {"order": {"id": key_on_2}})
        assert _intents(client, "MESSAGE_SUBSCRIPTION") == []
        client.advance_time(11)  # the instance's partition sends CREATE again
        assert _intents(client, "MESSAGE_SUBSCRIPTION") == ["CREATED"]
        client.publish_message("payment-received", key_on_2, {"paid": True})
        assert "message_catch" not in completed_elements(client, key)
        client.advance_time(11)  # the message's partition sends CORRELATE again
        assert "message_catch" in completed_elements(client, key)
        assert dropped == ["MESSAGE_SUBSCRIPTION CREATE", "PROCESS_MESSAGE_SUBSCRIPTION CORRELATE"]
        assert _intents(client, "MESSAGE_SUBSCRIPTION")[-1] == "CORRELATED"
