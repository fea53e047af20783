"""Message start events through the client (1 and 3 partitions): subscriptions per deployed
version, instances started by messages with their variables, at most one active instance per
correlation key (the next buffered message starts the next one), no start by a message
published before the deployment."""

from __future__ import annotations

from clients.client import Client
from tests.engine.conftest import completed_elements, events, scenario, variables_of


def _started(client: Client) -> list[int]:
    return [
        r["value"]["processInstanceKey"]
        for r in events(client, valueType="MESSAGE_START_EVENT_SUBSCRIPTION", intent="CORRELATED")
    ]


def _complete_work(client: Client) -> None:
    for job in client.activate_jobs("handle-order", max_jobs=10, timeout=60):
        client.complete_job(job.key)


def test_deploying_opens_a_start_subscription_on_every_partition(client: Client) -> None:
    client.deploy(scenario("message_start.bpmn"))
    created = events(client, valueType="MESSAGE_START_EVENT_SUBSCRIPTION", intent="CREATED")
    assert {r["partitionId"] for r in created} == set(
        range(1, client.transport.partition_count + 1)
    )
    assert {r["value"]["messageName"] for r in created} == {"order-placed"}
    client.deploy(scenario("message_start.bpmn").read_bytes().replace(b"handle-order", b"h2"))
    deleted = events(client, valueType="MESSAGE_START_EVENT_SUBSCRIPTION", intent="DELETED")
    assert len(deleted) == len(created)


def test_a_message_starts_an_instance_with_its_variables(client: Client) -> None:
    client.deploy(scenario("message_start.bpmn"))
    client.publish_message("order-placed", "", {"orderId": "o-1"})
    client.publish_message("order-placed", "", {"orderId": "o-2"})
    first, second = _started(client)
    assert variables_of(client, first) == {"orderId": "o-1"}
    assert variables_of(client, second) == {"orderId": "o-2"}
    assert "order_placed" in completed_elements(client, first)


def test_one_active_instance_per_correlation_key(client: Client) -> None:
    client.deploy(scenario("message_start.bpmn"))
    client.publish_message("order-placed", "customer-1", {"n": 1}, ttl=60)
    client.publish_message("order-placed", "customer-1", {"n": 2}, ttl=60)
    client.publish_message("order-placed", "customer-2", {"n": 3}, ttl=60)
    assert len(_started(client)) == 2  # the second message of customer-1 waits
    first = _started(client)[0]
    for job in client.activate_jobs("handle-order", max_jobs=10, timeout=60):
        if job.process_instance_key == first:
            client.complete_job(job.key)
    assert "message_start" in completed_elements(client, first)
    started = _started(client)
    assert len(started) == 3
    assert variables_of(client, started[2]) == {"n": 2}


def test_a_message_published_before_the_deployment_starts_nothing(client: Client) -> None:
    client.publish_message("order-placed", "", {"early": True}, ttl=60)
    client.deploy(scenario("message_start.bpmn"))
    assert _started(client) == []
    client.publish_message("order-placed", "", {"late": True})
    assert len(_started(client)) == 1
