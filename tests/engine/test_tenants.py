"""Scenarios: multi-tenancy is off, so a command naming a tenant other than the default is
rejected as INVALID_ARGUMENT with Zeebe's wording, and nothing of it runs; the default tenant
(named or left out) is served as before. Raw commands (any client, any language) and the
client's `tenant_id` arguments."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    SignalIntent,
)
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    JobBatchRecordValue,
    JobRecordValue,
    MessageRecordValue,
    ProcessInstanceCreationRecordValue,
    SignalRecordValue,
)
from clients.client import Client, connect_async
from clients.errors import InvalidArgumentError
from processors.engine.message_partition import message_partition
from tests.engine.conftest import events, scenario, send_unchecked


def _disabled(request: str, tenant: str = "acme") -> str:
    return (
        f"Expected to handle request {request} with tenant identifier '{tenant}', but"
        " multi-tenancy is disabled"
    )


def _raw_commands(client: Client) -> list[tuple[Record[Any], int, str]]:
    bpmn = scenario("one_task.bpmn").read_bytes()
    partitions = client.transport.partition_count
    return [
        (
            Record.command(
                DeploymentIntent.CREATE,
                DeploymentRecordValue(
                    resources=(DeploymentResource("one_task.bpmn", bpmn),), tenant_id="acme"
                ),
            ),
            1,
            _disabled("Deploy Resources"),
        ),
        (
            Record.command(
                ProcessInstanceCreationIntent.CREATE,
                ProcessInstanceCreationRecordValue(bpmn_process_id="one_task", tenant_id="acme"),
            ),
            1,
            _disabled("Create Process Instance"),
        ),
        (
            Record.command(
                MessageIntent.PUBLISH,
                MessageRecordValue(name="m", correlation_key="k", tenant_id="acme"),
            ),
            message_partition("k", partitions),
            _disabled("Publish Message"),
        ),
        (
            Record.command(
                SignalIntent.BROADCAST, SignalRecordValue(signal_name="s", tenant_id="acme")
            ),
            1,
            _disabled("Broadcast Signal"),
        ),
        (
            Record.command(
                JobBatchIntent.ACTIVATE,
                JobBatchRecordValue(
                    type="work",
                    max_jobs_to_activate=1,
                    timeout=1000,
                    tenant_ids=("<default>", "acme", "b"),
                ),
            ),
            1,
            "Expected to handle request Activate Jobs with tenant identifiers 'acme', 'b', but"
            " multi-tenancy is disabled",
        ),
    ]


def test_raw_commands_with_another_tenant_are_rejected(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    for command, partition, reason in _raw_commands(client):
        with pytest.raises(InvalidArgumentError) as rejected:
            send_unchecked(client, command, partition)
        assert rejected.value.reason == reason
    # Nothing of them ran: one deployment, no instance, no message, no signal.
    deployments = events(client, valueType="DEPLOYMENT", intent="CREATED")
    assert len({d["key"] for d in deployments}) == 1
    assert events(client, valueType="PROCESS_INSTANCE_CREATION", intent="CREATED") == []
    assert events(client, valueType="MESSAGE") == []
    assert events(client, valueType="SIGNAL") == []


def test_a_job_command_with_another_tenant_is_rejected(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    command = Record.command(JobIntent.COMPLETE, JobRecordValue(tenant_id="acme"), key=job.key)
    with pytest.raises(InvalidArgumentError, match="JOB COMPLETE with tenant identifier 'acme'"):
        send_unchecked(client, command)
    assert events(client, valueType="JOB", intent="COMPLETED") == []


def test_the_default_tenant_named_explicitly_is_served(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"), tenant_id="<default>")
    key = client.create_instance("one_task", tenant_id="<default>")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    assert job.process_instance_key == key
    client.publish_message("m", "k", tenant_id="<default>")
    client.broadcast_signal("s", tenant_id="<default>")


def test_client_calls_with_another_tenant_raise_invalid_argument(client: Client) -> None:
    with pytest.raises(InvalidArgumentError) as rejected:
        client.deploy(scenario("one_task.bpmn"), tenant_id="acme")
    assert rejected.value.reason == _disabled("Deploy Resources")
    client.deploy(scenario("one_task.bpmn"))
    with pytest.raises(InvalidArgumentError) as rejected:
        client.create_instance("one_task", tenant_id="acme", with_result=True)
    assert rejected.value.reason == _disabled("Create Process Instance With Result")
    with pytest.raises(InvalidArgumentError) as rejected:
        client.publish_message("m", "k", tenant_id="acme")
    assert rejected.value.reason == _disabled("Publish Message")
    with pytest.raises(InvalidArgumentError) as rejected:
        client.broadcast_signal("s", tenant_id="acme")
    assert rejected.value.reason == _disabled("Broadcast Signal")
    assert events(client, valueType="PROCESS_INSTANCE_CREATION", intent="CREATED") == []


def test_a_tenant_that_is_not_a_string_is_an_argument_error(client: Client) -> None:
    with pytest.raises(InvalidArgumentError, match="tenant_id"):
        client.create_instance("one_task", tenant_id=7)  # type: ignore[arg-type]


async def test_async_client_passes_the_tenant() -> None:
    client = connect_async("memory://")
    with pytest.raises(InvalidArgumentError) as rejected:
        await client.create_instance("one_task", tenant_id="acme")
    assert rejected.value.reason == _disabled("Create Process Instance")
    await client.close()
