"""Scenarios: tenants, as Zeebe's multi-tenancy. Definitions are the tenant's own (the same BPMN
id deployed for two tenants makes two definitions with their own versions); an instance, its
jobs, variables, incidents and subscriptions carry its tenant; messages and signals reach only
their tenant's subscriptions; job activation hands out only the jobs of the tenants it names
(the default tenant when it names none); a call activity calls a process of its own tenant.
Bad tenant identifiers are rejected with Zeebe's wording. The default tenant, named or left
out, is served as before (and the golden record streams show it unchanged)."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import (
    DeploymentIntent,
    JobBatchIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    SignalIntent,
)
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    JobBatchRecordValue,
    MessageRecordValue,
    ProcessInstanceCreationRecordValue,
    SignalRecordValue,
)
from clients.client import Client, connect_async
from clients.errors import InvalidArgumentError, NotFoundError
from clients.results import ActivatedJob
from clients.worker import Worker
from processors.engine.message_partition import message_partition
from tests.engine.conftest import events, scenario, send_unchecked


def _tenant_of_records(client: Client, process_instance_key: int) -> set[str]:
    """The tenants on every event of an instance (its elements, jobs, variables, ...)."""
    return {
        r["value"]["tenantId"]
        for r in client.records()
        if r["recordType"] == "EVENT"
        and r["value"].get("processInstanceKey") == process_instance_key
        and "tenantId" in r["value"]
    }


def test_the_same_process_id_in_two_tenants_makes_two_definitions(client: Client) -> None:
    a1 = client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
    b1 = client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-b")
    [pa1], [pb1] = a1.processes, b1.processes
    assert (pa1.version, pb1.version) == (1, 1)
    assert pa1.process_definition_key != pb1.process_definition_key
    # An unchanged resource is a duplicate only within its own tenant.
    again = client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
    assert again.processes[0].process_definition_key == pa1.process_definition_key
    # The default tenant has none of them.
    with pytest.raises(NotFoundError):
        client.create_instance("one_task")
    created = events(client, valueType="PROCESS", intent="CREATED")
    assert sorted(r["value"]["tenantId"] for r in created if r["partitionId"] == 1) == [
        "tenant-a",
        "tenant-b",
    ]
    deployed = events(client, valueType="DEPLOYMENT", intent="CREATED")
    assert {r["value"]["tenantId"] for r in deployed} == {"tenant-a", "tenant-b"}


def test_create_instance_by_id_finds_the_tenants_latest_version(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
    client.deploy(scenario("one_task.bpmn"), scenario("call_child.bpmn"), tenant_id="tenant-a")
    [b] = client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-b").processes
    a_key = client.create_instance("one_task", tenant_id="tenant-a")
    b_key = client.create_instance("one_task", tenant_id="tenant-b")
    [a_created] = events(client, valueType="PROCESS_INSTANCE_CREATION", processInstanceKey=a_key)
    [b_created] = events(client, valueType="PROCESS_INSTANCE_CREATION", processInstanceKey=b_key)
    assert (a_created["value"]["version"], a_created["value"]["tenantId"]) == (2, "tenant-a")
    assert b_created["value"]["processDefinitionKey"] == b.process_definition_key
    assert b_created["value"]["tenantId"] == "tenant-b"
    # Everything the instances write carries their tenant.
    assert _tenant_of_records(client, a_key) == {"tenant-a"}
    assert _tenant_of_records(client, b_key) == {"tenant-b"}


def test_another_tenants_definition_is_not_found_by_key(client: Client) -> None:
    [b] = client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-b").processes

    def create(tenant: str) -> Record[Any]:
        value = ProcessInstanceCreationRecordValue(
            process_definition_key=b.process_definition_key, tenant_id=tenant
        )
        return send_unchecked(client, Record.command(ProcessInstanceCreationIntent.CREATE, value))

    with pytest.raises(NotFoundError) as refused:
        create("tenant-a")
    assert refused.value.reason == (
        f"Expected to find process definition with key '{b.process_definition_key}', but none found"
    )
    with pytest.raises(NotFoundError):
        create("<default>")
    assert create("tenant-b").value.tenant_id == "tenant-b"


def test_job_activation_hands_out_only_the_named_tenants_jobs(client: Client) -> None:
    for tenant in ("tenant-a", "tenant-b", "<default>"):
        client.deploy(scenario("one_task.bpmn"), tenant_id=tenant)
    a = client.create_instance("one_task", tenant_id="tenant-a")
    b = client.create_instance("one_task", tenant_id="tenant-b")
    d = client.create_instance("one_task")
    [default_job] = client.activate_jobs("work", max_jobs=5, timeout=60)
    assert (default_job.process_instance_key, default_job.tenant_id) == (d, "<default>")
    [a_job] = client.activate_jobs("work", max_jobs=5, timeout=60, tenant_ids=["tenant-a"])
    assert (a_job.process_instance_key, a_job.tenant_id) == (a, "tenant-a")
    assert client.activate_jobs("work", max_jobs=5, timeout=60, tenant_ids=["tenant-a"]) == []
    [b_job] = client.activate_jobs(
        "work", max_jobs=5, timeout=60, tenant_ids=["tenant-a", "tenant-b"]
    )
    assert (b_job.process_instance_key, b_job.tenant_id) == (b, "tenant-b")
    # Each batch handed out only jobs of the tenants it named (on Kafka a claim names the
    # tenant of the topic it read the job from).
    for batch in events(client, valueType="JOB_BATCH", intent="ACTIVATED"):
        named = list(batch["value"]["tenantIds"]) or ["<default>"]
        assert {job["tenantId"] for job in batch["value"]["jobs"]} <= set(named)


def test_a_message_correlates_only_within_its_tenant(client: Client) -> None:
    client.deploy(scenario("message_catch.bpmn"), tenant_id="tenant-a")
    client.deploy(scenario("message_catch.bpmn"), tenant_id="tenant-b")
    order = {"order": {"id": "o-1"}}
    a = client.create_instance("message_catch", order, tenant_id="tenant-a")
    b = client.create_instance("message_catch", order, tenant_id="tenant-b")
    client.publish_message("payment-received", "o-1", tenant_id="tenant-b")
    correlated = events(client, valueType="PROCESS_MESSAGE_SUBSCRIPTION", intent="CORRELATED")
    assert [r["value"]["processInstanceKey"] for r in correlated] == [b]
    assert correlated[0]["value"]["tenantId"] == "tenant-b"
    # A default-tenant message with the same name and key reaches nobody.
    with pytest.raises(NotFoundError):
        client.correlate_message("payment-received", "o-1")
    result = client.correlate_message("payment-received", "o-1", tenant_id="tenant-a")
    assert result.process_instance_key == a
    assert result.tenant_id == "tenant-a"


def test_a_buffered_message_waits_for_its_own_tenant(client: Client) -> None:
    client.publish_message("payment-received", "o-2", ttl=60, tenant_id="tenant-a")
    client.deploy(scenario("message_catch.bpmn"), tenant_id="tenant-b")
    client.deploy(scenario("message_catch.bpmn"), tenant_id="tenant-a")
    order = {"order": {"id": "o-2"}}
    client.create_instance("message_catch", order, tenant_id="tenant-b")
    a = client.create_instance("message_catch", order, tenant_id="tenant-a")
    correlated = events(client, valueType="PROCESS_MESSAGE_SUBSCRIPTION", intent="CORRELATED")
    assert [r["value"]["processInstanceKey"] for r in correlated] == [a]


def test_a_message_starts_instances_only_of_its_tenant(client: Client) -> None:
    client.deploy(scenario("message_start.bpmn"), tenant_id="tenant-a")
    client.publish_message("order-placed", "k1", tenant_id="tenant-b")
    client.publish_message("order-placed", "k2")
    assert events(client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATED") == []
    client.publish_message("order-placed", "k3", tenant_id="tenant-a")
    [started] = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATED", bpmnElementType="PROCESS"
    )
    assert started["value"]["tenantId"] == "tenant-a"
    [job] = client.activate_jobs("handle-order", max_jobs=5, timeout=60, tenant_ids=["tenant-a"])
    assert job.tenant_id == "tenant-a"


def test_a_signal_reaches_only_its_tenants_subscriptions(client: Client) -> None:
    client.deploy(scenario("signal_catch.bpmn"), tenant_id="tenant-a")
    client.deploy(scenario("signal_catch.bpmn"), tenant_id="tenant-b")
    batch = {"batch": "b1"}
    a = client.create_instance("signal_catch", batch, tenant_id="tenant-a")
    b = client.create_instance("signal_catch", batch, tenant_id="tenant-b")
    client.broadcast_signal("release-b1")  # the default tenant: nobody waits there
    client.broadcast_signal("release-b1", tenant_id="tenant-a")
    completed = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_COMPLETED", bpmnElementType="PROCESS"
    )
    assert [r["key"] for r in completed] == [a]
    client.broadcast_signal("release-b1", tenant_id="tenant-b")
    completed = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_COMPLETED", bpmnElementType="PROCESS"
    )
    assert [r["key"] for r in completed] == [a, b]
    broadcasts = events(client, valueType="SIGNAL", intent="BROADCASTED")
    assert {r["value"]["tenantId"] for r in broadcasts} == {"<default>", "tenant-a", "tenant-b"}


def test_a_call_activity_calls_the_process_of_its_own_tenant(client: Client) -> None:
    client.deploy(scenario("call_parent.bpmn"), tenant_id="tenant-a")
    client.deploy(scenario("call_child.bpmn"), tenant_id="tenant-b")
    client.deploy(scenario("call_child.bpmn"))
    parent = client.create_instance("call_parent", tenant_id="tenant-a")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "CALLED_ELEMENT_ERROR"
    assert incident["value"]["processInstanceKey"] == parent
    assert incident["value"]["tenantId"] == "tenant-a"
    [child_def] = client.deploy(scenario("call_child.bpmn"), tenant_id="tenant-a").processes
    client.resolve_incident(incident["key"])
    [child] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
        parentProcessInstanceKey=parent,
    )
    assert child["value"]["processDefinitionKey"] == child_def.process_definition_key
    assert child["value"]["tenantId"] == "tenant-a"
    [job] = client.activate_jobs("child", max_jobs=5, timeout=60, tenant_ids=["tenant-a"])
    assert job.process_instance_key == child["key"]


def test_the_default_tenant_named_explicitly_is_served(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"), tenant_id="<default>")
    key = client.create_instance("one_task", tenant_id="<default>")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60, tenant_ids=["<default>"])
    assert job.process_instance_key == key
    client.publish_message("m", "k", tenant_id="<default>")
    client.broadcast_signal("s", tenant_id="<default>")


def test_a_blank_tenant_means_the_default_one(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"), tenant_id="")
    key = client.create_instance("one_task", tenant_id=" ")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    assert (job.process_instance_key, job.tenant_id) == (key, "<default>")


def _bad(request: str, tenant: str, problem: str) -> str:
    return f"Expected to handle request {request} with tenant identifier '{tenant}', but {problem}"


def _raw_commands(client: Client, tenant: str) -> list[tuple[Record[Any], int, str]]:
    bpmn = scenario("one_task.bpmn").read_bytes()
    partitions = client.transport.partition_count
    return [
        (
            Record.command(
                DeploymentIntent.CREATE,
                DeploymentRecordValue(
                    resources=(DeploymentResource("one_task.bpmn", bpmn),), tenant_id=tenant
                ),
            ),
            1,
            "Deploy Resources",
        ),
        (
            Record.command(
                ProcessInstanceCreationIntent.CREATE,
                ProcessInstanceCreationRecordValue(bpmn_process_id="one_task", tenant_id=tenant),
            ),
            1,
            "Create Process Instance",
        ),
        (
            Record.command(
                MessageIntent.PUBLISH,
                MessageRecordValue(name="m", correlation_key="k", tenant_id=tenant),
            ),
            message_partition("k", partitions),
            "Publish Message",
        ),
        (
            Record.command(
                SignalIntent.BROADCAST, SignalRecordValue(signal_name="s", tenant_id=tenant)
            ),
            1,
            "Broadcast Signal",
        ),
        (
            Record.command(
                JobBatchIntent.ACTIVATE,
                JobBatchRecordValue(
                    type="work",
                    max_jobs_to_activate=1,
                    timeout=1000,
                    tenant_ids=("<default>", tenant),
                ),
            ),
            1,
            "Activate Jobs",
        ),
    ]


@pytest.mark.parametrize(
    ("tenant", "problem"),
    [
        ("acme corp", "tenant identifier contains illegal characters"),
        ("a/b", "tenant identifier contains illegal characters"),
        ("t" * 32, "tenant identifier is longer than 31 characters"),
    ],
)
def test_commands_naming_no_tenant_identifier_are_rejected(
    client: Client, tenant: str, problem: str
) -> None:
    client.deploy(scenario("one_task.bpmn"))
    for command, partition, request in _raw_commands(client, tenant):
        with pytest.raises(InvalidArgumentError) as rejected:
            send_unchecked(client, command, partition)
        assert rejected.value.reason == _bad(request, tenant, problem)
    # Nothing of them ran: one deployment, no instance, no message, no signal.
    deployments = events(client, valueType="DEPLOYMENT", intent="CREATED")
    assert len({d["key"] for d in deployments}) == 1
    assert events(client, valueType="PROCESS_INSTANCE_CREATION", intent="CREATED") == []
    assert events(client, valueType="MESSAGE") == []
    assert events(client, valueType="SIGNAL") == []


def test_client_calls_with_a_bad_tenant_raise_invalid_argument(client: Client) -> None:
    with pytest.raises(InvalidArgumentError) as rejected:
        client.deploy(scenario("one_task.bpmn"), tenant_id="a b")
    assert rejected.value.reason == _bad(
        "Deploy Resources", "a b", "tenant identifier contains illegal characters"
    )
    with pytest.raises(InvalidArgumentError) as rejected:
        client.create_instance("one_task", tenant_id="a!", with_result=True)
    assert rejected.value.reason == _bad(
        "Create Process Instance With Result", "a!", "tenant identifier contains illegal characters"
    )
    with pytest.raises(InvalidArgumentError, match="tenant_ids"):
        client.activate_jobs("work", max_jobs=1, timeout=1, tenant_ids="tenant-a")


def test_a_tenant_that_is_not_a_string_is_an_argument_error(client: Client) -> None:
    with pytest.raises(InvalidArgumentError, match="tenant_id"):
        client.create_instance("one_task", tenant_id=7)  # type: ignore[arg-type]


async def test_async_client_passes_the_tenants() -> None:
    client = connect_async("memory://")
    await client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
    key = await client.create_instance("one_task", tenant_id="tenant-a")
    assert await client.activate_jobs("work", max_jobs=1, timeout=60) == []
    [job] = await client.activate_jobs("work", max_jobs=1, timeout=60, tenant_ids=["tenant-a"])
    assert job.process_instance_key == key
    await client.close()


def test_a_workers_tenants_are_the_only_ones_it_receives(client: Client) -> None:
    """Tenant A's worker never receives tenant B's jobs (on Kafka: it reads only A's job
    topic); B's jobs wait for B's worker."""
    client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
    client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-b")
    a_keys = {client.create_instance("one_task", tenant_id="tenant-a") for _ in range(3)}
    b_keys = {client.create_instance("one_task", tenant_id="tenant-b") for _ in range(2)}
    seen: list[tuple[int, str]] = []
    worker = Worker(client, tenant_ids=["tenant-a"])

    @worker.task("work")
    def work(job: ActivatedJob) -> dict[str, Any]:
        seen.append((job.process_instance_key, job.tenant_id))
        return {}

    for _ in range(200):  # rounds, not time: each reads whatever arrived
        worker.work_once()
        worker.drain()
        if len(seen) >= len(a_keys):
            break
    worker.work_once()  # one more round: nothing of B's comes
    worker.drain()
    assert sorted(seen) == sorted((key, "tenant-a") for key in a_keys)
    jobs = client.activate_jobs("work", max_jobs=5, timeout=60, tenant_ids=["tenant-b"], wait=5)
    assert {job.process_instance_key for job in jobs} == b_keys


def test_an_instance_migrates_only_to_a_definition_of_its_tenant(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
    [b] = client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-b").processes
    key = client.create_instance("one_task", tenant_id="tenant-a")
    with pytest.raises(NotFoundError) as refused:
        client.migrate_instance(key, b.process_definition_key, {"task": "task"})
    assert refused.value.reason == (
        "Expected to migrate process instance to process definition but no process"
        f" definition found with key '{b.process_definition_key}'"
    )
    [a2] = client.deploy(
        scenario("one_task.bpmn"), scenario("call_child.bpmn"), tenant_id="tenant-a"
    ).processes[:1]
    client.migrate_instance(key, a2.process_definition_key, {"task": "task"})
