"""Scenarios (1 and 3 partitions): `correlate_message`, Zeebe 8.6's CorrelateMessage. The
message is correlated now and answered with the instance it continued or started; nothing
waiting for it is NOT_FOUND and nothing is buffered."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record, RejectionType, decode_partition
from broker.protocol.intents import (
    DeploymentIntent,
    MessageCorrelationIntent,
    MessageSubscriptionIntent,
    ProcessInstanceCreationIntent,
)
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    MessageCorrelationRecordValue,
    ProcessInstanceCreationRecordValue,
)
from clients.client import Client, connect_async
from clients.errors import InvalidArgumentError, NotFoundError
from processors.engine import Engine
from processors.engine.message_partition import message_partition
from tests.engine.conftest import completed_elements, events, scenario, variables_of


def _intents(client: Client, value_type: str) -> list[str]:
    return [r["intent"] for r in events(client, valueType=value_type)]


def test_correlating_to_a_waiting_instance_answers_with_that_instance(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"))
    instance = client.create_instance("message_catch", {"order": {"id": "o-1"}})
    result = client.correlate_message("payment-received", "o-1", {"paid": 12})
    assert result.process_instance_key == instance
    assert result.tenant_id == "<default>"
    assert "message_catch" in completed_elements(client, instance)
    assert variables_of(client, instance)["paid"] == 12
    [correlated] = events(client, valueType="MESSAGE_CORRELATION", intent="CORRELATED")
    assert correlated["key"] == result.message_key
    assert correlated["value"]["processInstanceKey"] == instance
    # The message was published and expired at once: nothing stays buffered.
    assert _intents(client, "MESSAGE") == ["PUBLISHED", "EXPIRED"]
    assert _intents(client, "MESSAGE_CORRELATION") == ["CORRELATING", "CORRELATED"]


def test_correlating_to_a_message_start_event_answers_with_the_new_instance(
    client: Client,
) -> None:
    client.deploy(scenario("message_start.bpmn"))
    result = client.correlate_message("order-placed", "c-1", {"orderId": "o-1"})
    [started] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
    )
    assert result.process_instance_key == started["key"]
    assert variables_of(client, result.process_instance_key) == {"orderId": "o-1"}


def test_nothing_waiting_is_not_found_and_the_message_is_not_buffered(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"))
    with pytest.raises(NotFoundError) as refused:
        client.correlate_message("payment-received", "o-1")
    assert refused.value.reason == (
        "Expected to find subscription for message with name 'payment-received' and"
        " correlation key 'o-1', but none was found."
    )
    assert events(client, valueType="MESSAGE") == []
    instance = client.create_instance("message_catch", {"order": {"id": "o-1"}})
    assert "wait_payment" not in completed_elements(client, instance)


def test_a_start_event_blocked_by_an_active_instance_is_not_found(client: Client) -> None:
    client.deploy(scenario("message_start.bpmn"))
    first = client.correlate_message("order-placed", "customer-1")
    with pytest.raises(NotFoundError, match=r"already active .* \[message_start\]"):
        client.correlate_message("order-placed", "customer-1")
    assert len(events(client, valueType="PROCESS_INSTANCE_CREATION")) == 0
    started = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATED", bpmnElementType="PROCESS"
    )
    assert [s["key"] for s in started] == [first.process_instance_key]


def test_arguments_and_tenant_are_checked(client: Client) -> None:
    with pytest.raises(InvalidArgumentError, match="correlate_message: argument name"):
        client.correlate_message(123, "k")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError) as refused:
        client.correlate_message("m", "k", tenant_id="ac me")
    assert refused.value.reason == (
        "Expected to handle request Correlate Message with tenant identifier 'ac me', but"
        " tenant identifier contains illegal characters"
    )


async def test_async_client_correlates() -> None:
    client = connect_async("memory://?partitions=3")
    await client.deploy(scenario("message_catch.bpmn"))
    instance = await client.create_instance("message_catch", {"order": {"id": "o-9"}})
    result = await client.correlate_message("payment-received", "o-9")
    assert result.process_instance_key == instance
    await client.close()


def _process(engine: Engine, command: Record[Any], request_id: int | None = None) -> Any:
    return engine.process(command, 1_000, request_id)


def test_an_instance_refusing_the_message_answers_not_found() -> None:
    """The instance's partition refuses the message (its element left before the correlation
    arrived): the waiting request gets NOT_CORRELATED's NOT_FOUND rejection."""
    engine = Engine()
    resource = DeploymentResource("c.bpmn", scenario("message_catch.bpmn").read_bytes())
    _process(engine, Record.command(DeploymentIntent.CREATE, DeploymentRecordValue((resource,))))
    created = _process(
        engine,
        Record.command(
            ProcessInstanceCreationIntent.CREATE,
            ProcessInstanceCreationRecordValue(
                bpmn_process_id="message_catch", variables={"order": {"id": "o-1"}}
            ),
        ),
    )
    for _, command in created.outbound:  # MESSAGE_SUBSCRIPTION CREATE, then its answer
        for _, answer in _process(engine, command).outbound:
            _process(engine, answer)
    correlate = Record.command(
        MessageCorrelationIntent.CORRELATE,
        MessageCorrelationRecordValue(name="payment-received", correlation_key="o-1"),
    )
    result = _process(engine, correlate, request_id=7)
    assert 7 not in result.responses  # waits for the instance's answer
    [(_, sent)] = result.outbound  # PROCESS_MESSAGE_SUBSCRIPTION CORRELATE, never delivered
    assert sent.value.message_key == result.records[1].key
    correlating = next(
        r for r in result.records if r.intent is MessageSubscriptionIntent.CORRELATING
    )
    reject = Record.command(MessageSubscriptionIntent.REJECT, correlating.value)
    answered = _process(engine, reject)
    response = answered.responses[7]
    assert response.is_rejection and response.rejection_type is RejectionType.NOT_FOUND
    assert response.value_type.value == "MESSAGE_CORRELATION"
    assert [r.intent for r in answered.records][-1] is MessageCorrelationIntent.NOT_CORRELATED


def test_each_waiting_instance_is_answered_wherever_it_runs(client: Client) -> None:
    """Instances on every partition, messages on the partitions of their keys: the answer
    comes back from the instance's partition through the message's."""
    client.deploy(scenario("message_catch.bpmn"))
    keys = [f"o-{i}" for i in reversed(range(6))]  # o-0..o-5 would follow the round robin
    instances = {k: client.create_instance("message_catch", {"order": {"id": k}}) for k in keys}
    partitions = client.transport.partition_count
    if partitions > 1:  # the scenario crosses partitions for at least one message
        assert any(decode_partition(instances[k]) != message_partition(k, partitions) for k in keys)
    for k in keys:
        assert (
            client.correlate_message("payment-received", k).process_instance_key == (instances[k])
        )
    assert len(events(client, valueType="MESSAGE_CORRELATION", intent="CORRELATED")) == 6
