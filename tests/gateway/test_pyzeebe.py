"""pyzeebe 4.7.0, unchanged, against `honeyflow gateway` in front of one engine on Kafka:
deploy, run processes (with and without result), publish messages, a ZeebeWorker completing
jobs, failing them into an incident, throwing a BPMN error caught by a boundary event, and the
errors Zeebe's gateway gives (NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.errors import (
    BusinessError,
    MessageAlreadyExistsError,
    ProcessDefinitionNotFoundError,
)
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings
from clients.client import Client, connect
from clients.testing import assert_instance
from tests.gateway.conftest import PARTITIONS
from tests.gateway.processes import one_task

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]


@pytest.fixture
async def zeebe(cluster: tuple[str, TopicSettings]) -> AsyncIterator[ZeebeClient]:
    async with create_insecure_channel(grpc_address=cluster[0]) as channel:
        yield ZeebeClient(channel)


@pytest.fixture
def honeyflow(kafka_bootstrap: str, cluster: tuple[str, TopicSettings]) -> Iterator[Client]:
    """Our own client on the same topics, to read what happened from the audit log."""
    client = connect(f"kafka://{kafka_bootstrap}?prefix={cluster[1].prefix}")
    yield client
    client.close()


def test_deploy_resource_answers_every_process(deployed: Any) -> None:
    processes = {d.bpmn_process_id: d for d in deployed.deployments}
    assert set(processes) == {
        *("gw-order", "gw-broken", "gw-stock", "gw-payment", "gw-parked", "gw-streamed"),
        "gw-ops",
    }
    assert processes["gw-order"].version == 1
    assert processes["gw-order"].resource_name == "order.bpmn"
    assert processes["gw-order"].process_definition_key > 0


async def test_run_process_and_unknown_process(deployed: Any, zeebe: ZeebeClient) -> None:
    created = await zeebe.run_process("gw-payment", {"orderId": "o-0"})
    assert created.process_instance_key > 0
    assert created.bpmn_process_id == "gw-payment" and created.version == 1
    with pytest.raises(ProcessDefinitionNotFoundError):
        await zeebe.run_process("no-such-process")


async def test_not_found_status_and_message(
    deployed: Any, cluster: tuple[str, TopicSettings]
) -> None:
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="no-such-process", version=-1)
            )
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND
        assert raised.value.details().startswith(
            "Command 'CREATE' rejected with code 'NOT_FOUND': "
        )
        assert "no-such-process" in raised.value.details()
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=1, variables="[1]"))
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_publish_message_with_ttl_is_correlated_later(
    deployed: Any, zeebe: ZeebeClient
) -> None:
    await zeebe.publish_message(
        "paid", "o-1", {"amount": 12}, time_to_live_in_milliseconds=60_000, message_id="m-1"
    )
    with pytest.raises(MessageAlreadyExistsError):
        await zeebe.publish_message(
            "paid", "o-1", time_to_live_in_milliseconds=60_000, message_id="m-1"
        )
    result = await zeebe.run_process_with_result("gw-payment", {"orderId": "o-1"}, timeout=60_000)
    assert result.variables == {"orderId": "o-1", "amount": 12}


async def test_worker_completes_jobs_for_run_process_with_result(
    deployed: Any, cluster: tuple[str, TopicSettings], zeebe: ZeebeClient
) -> None:
    async with create_insecure_channel(grpc_address=cluster[0]) as channel:
        worker = ZeebeWorker(channel, request_timeout=2_000)
        seen: list[dict[str, Any]] = []

        async def note(job: Job) -> Job:
            seen.append(dict(job.variables))
            return job

        @worker.task(task_type="gw-charge", before=[note])
        async def charge(amount: int) -> dict[str, Any]:
            return {"charged": amount * 2}

        working = asyncio.create_task(worker.work())
        try:
            results = await asyncio.gather(
                *(
                    zeebe.run_process_with_result(
                        "gw-order",
                        {"amount": n, "secret": "x"},
                        timeout=60_000,
                        variables_to_fetch=["charged"],
                    )
                    for n in range(1, 6)
                )
            )
        finally:
            await worker.stop()
            working.cancel()
    assert sorted(r.variables["charged"] for r in results) == [2, 4, 6, 8, 10]
    assert all(set(r.variables) == {"charged"} for r in results)
    # The worker fetched only the variable its handler names (fetchVariable honoured).
    assert sorted(v["amount"] for v in seen) == [1, 2, 3, 4, 5]
    assert all(set(v) == {"amount"} for v in seen)


async def test_failing_task_raises_an_incident_after_its_retries(
    deployed: Any, cluster: tuple[str, TopicSettings], zeebe: ZeebeClient, honeyflow: Client
) -> None:
    async with create_insecure_channel(grpc_address=cluster[0]) as channel:
        worker = ZeebeWorker(channel, request_timeout=2_000)
        calls: list[int] = []

        async def note(job: Job) -> Job:
            calls.append(job.retries)
            return job

        @worker.task(task_type="gw-broken", before=[note])
        async def call() -> None:
            raise RuntimeError("the service is down")

        working = asyncio.create_task(worker.work())
        try:
            created = await zeebe.run_process("gw-broken")
            key = created.process_instance_key
            incident = await asyncio.to_thread(_await_incident, honeyflow, key)
        finally:
            await worker.stop()
            working.cancel()
    assert sorted(calls) == [1, 2]  # retries="2": two attempts, then the incident
    assert incident["value"]["errorType"] == "JOB_NO_RETRIES"
    assert "the service is down" in incident["value"]["errorMessage"]
    assert_instance(honeyflow, key).is_waiting_at("call").has_incident("JOB_NO_RETRIES")


async def test_business_error_is_caught_by_the_boundary_event(
    deployed: Any, cluster: tuple[str, TopicSettings], zeebe: ZeebeClient, honeyflow: Client
) -> None:
    async with create_insecure_channel(grpc_address=cluster[0]) as channel:
        worker = ZeebeWorker(channel, request_timeout=2_000)

        @worker.task(task_type="gw-reserve")
        async def reserve() -> None:
            raise BusinessError("NO_STOCK")

        working = asyncio.create_task(worker.work())
        try:
            result = await zeebe.run_process_with_result("gw-stock", {}, timeout=60_000)
        finally:
            await worker.stop()
            working.cancel()
    key = result.process_instance_key
    assert_instance(honeyflow, key).is_completed().has_passed("out-of-stock", "backordered")
    assert_instance(honeyflow, key).has_not_passed("reserved")


async def test_topology_and_health(cluster: tuple[str, TopicSettings]) -> None:
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        topology = await pb_grpc.GatewayStub(channel).Topology(pb.TopologyRequest())
        health = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="gateway_protocol.Gateway")
        )
    assert topology.partitionsCount == PARTITIONS and topology.clusterSize == 1
    partitions = sorted(p.partitionId for b in topology.brokers for p in b.partitions)
    assert partitions == [1, 2]
    assert health.status == health_pb2.HealthCheckResponse.SERVING


async def test_activate_jobs_long_polls_until_a_job_arrives(
    deployed: Any, cluster: tuple[str, TopicSettings], zeebe: ZeebeClient
) -> None:
    request = pb.ActivateJobsRequest(
        type="gw-parked", worker="w", timeout=30_000, maxJobsToActivate=5, requestTimeout=500
    )
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        # Nothing there: the request waits its requestTimeout, then ends OK with no jobs.
        assert [r async for r in stub.ActivateJobs(request)] == []
        request.requestTimeout = 60_000
        parked = asyncio.ensure_future(_jobs_of(stub.ActivateJobs(request)))
        created = await zeebe.run_process("gw-parked", {"n": 1})
        jobs = await parked
        assert [j.processInstanceKey for j in jobs] == [created.process_instance_key]
        assert json.loads(jobs[0].variables) == {"n": 1}
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=jobs[0].key))
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=jobs[0].key))
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_stream_activated_jobs_pushes_jobs_as_they_come(
    deployed: Any, cluster: tuple[str, TopicSettings], zeebe: ZeebeClient
) -> None:
    request = pb.StreamActivatedJobsRequest(
        type="gw-streamed", worker="s", timeout=30_000, fetchVariable=["n"]
    )
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        stream = stub.StreamActivatedJobs(request)
        results = [
            asyncio.ensure_future(
                zeebe.run_process_with_result("gw-streamed", {"n": n, "x": 0}, timeout=60_000)
            )
            for n in (1, 2)
        ]
        for _ in results:
            job = await stream.read()
            assert set(json.loads(job.variables)) == {"n"}
            await stub.CompleteJob(
                pb.CompleteJobRequest(jobKey=job.key, variables='{"done": true}')
            )
        stream.cancel()
        done = await asyncio.gather(*results)
    assert sorted(r.variables["n"] for r in done) == [1, 2]
    assert all(r.variables["done"] is True for r in done)


async def _jobs_of(call: Any) -> list[pb.ActivatedJob]:
    return [job async for response in call for job in response.jobs]


def _await_incident(client: Client, instance_key: int) -> dict[str, Any]:
    """The instance's first INCIDENT CREATED record, once the audit log has it."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for record in client.records():
            if (
                record["valueType"] == "INCIDENT"
                and record["intent"] == "CREATED"
                and record["value"]["processInstanceKey"] == instance_key
            ):
                return record
        time.sleep(0.5)
    raise AssertionError(f"no incident for instance {instance_key}")


async def test_a_tenant_through_the_gateway(
    deployed: Any, cluster: tuple[str, TopicSettings], zeebe: ZeebeClient, tmp_path: Any
) -> None:
    """pyzeebe's tenant_id reaches the engine: a process deployed for tenant gw-a is that
    tenant's only (not found for the default tenant), and its job is activated by a request
    naming gw-a and by no other."""
    path = tmp_path / "tenanted.bpmn"
    path.write_text(one_task("gw-tenanted", "gw-tenanted"))
    deployment = await zeebe.deploy_resource(path, tenant_id="gw-a")
    assert deployment.tenant_id == "gw-a"
    with pytest.raises(ProcessDefinitionNotFoundError):
        await zeebe.run_process("gw-tenanted")
    created = await zeebe.run_process("gw-tenanted", tenant_id="gw-a")
    request = pb.ActivateJobsRequest(
        type="gw-tenanted", worker="w", timeout=30_000, maxJobsToActivate=5, requestTimeout=500
    )
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        assert await _jobs_of(stub.ActivateJobs(request)) == []  # the default tenant's: none
        request.tenantIds[:] = ["gw-b"]
        assert await _jobs_of(stub.ActivateJobs(request)) == []
        request.tenantIds[:] = ["gw-a"]
        request.requestTimeout = 60_000
        [job] = await _jobs_of(stub.ActivateJobs(request))
        assert (job.processInstanceKey, job.tenantId) == (created.process_instance_key, "gw-a")
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
