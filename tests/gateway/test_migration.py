"""MigrateProcessInstance through the gateway with pyzeebe's raw gateway_protocol stubs: an
instance waiting at a job moves to v2 (the job keeps its key, the worker completes it and the
instance goes on on v2's path); the engine's rejections come back with the status of the other
RPCs (NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION for INVALID_STATE) and the reason in
Zeebe's gateway's words."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]

SCENARIOS = Path(__file__).parents[1] / "engine" / "scenarios"
Pair = tuple[str, str]


def _resource(name: str, process_id: str) -> pb.Resource:
    """A scenario under a process id of its own (the gateway's cluster is shared)."""
    xml = (SCENARIOS / name).read_bytes().replace(b'"migrate_order"', f'"{process_id}"'.encode())
    return pb.Resource(name=name, content=xml)


def _plan(target: int, *pairs: Pair) -> pb.MigrateProcessInstanceRequest.MigrationPlan:
    return pb.MigrateProcessInstanceRequest.MigrationPlan(
        targetProcessDefinitionKey=target,
        mappingInstructions=[
            pb.MigrateProcessInstanceRequest.MappingInstruction(
                sourceElementId=s, targetElementId=t
            )
            for s, t in pairs
        ],
    )


async def test_migrate_process_instance(cluster: tuple[str, TopicSettings]) -> None:
    process_id = f"gw-migrate-{uuid.uuid4().hex[:6]}"
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        await stub.DeployResource(
            pb.DeployResourceRequest(resources=[_resource("migrate_order_v1.bpmn", process_id)])
        )
        created = await stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId=process_id, version=-1)
        )
        instance = created.processInstanceKey
        deployed = await stub.DeployResource(
            pb.DeployResourceRequest(resources=[_resource("migrate_order_v2.bpmn", process_id)])
        )
        v2 = deployed.deployments[0].process.processDefinitionKey

        with pytest.raises(grpc.aio.AioRpcError) as unmapped:
            await stub.MigrateProcessInstance(
                pb.MigrateProcessInstanceRequest(
                    processInstanceKey=instance, migrationPlan=_plan(v2)
                )
            )
        assert unmapped.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        assert unmapped.value.details() == (
            "Command 'MIGRATE' rejected with code 'INVALID_STATE':"
            f" Expected to migrate process instance '{instance}' but no mapping instruction"
            " defined for active element with id 'pay'. Elements cannot be migrated without a"
            " mapping."
        )
        with pytest.raises(grpc.aio.AioRpcError) as twice:
            await stub.MigrateProcessInstance(
                pb.MigrateProcessInstanceRequest(
                    processInstanceKey=instance,
                    migrationPlan=_plan(v2, ("pay", "charge"), ("pay", "ship")),
                )
            )
        assert twice.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "duplicate source element ids '[pay]'" in (twice.value.details() or "")
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await stub.MigrateProcessInstance(
                pb.MigrateProcessInstanceRequest(
                    processInstanceKey=instance, migrationPlan=_plan(v2 + 4096, ("pay", "charge"))
                )
            )
        assert unknown.value.code() is grpc.StatusCode.NOT_FOUND

        answer = await stub.MigrateProcessInstance(
            pb.MigrateProcessInstanceRequest(
                processInstanceKey=instance, migrationPlan=_plan(v2, ("pay", "charge"))
            )
        )
        assert answer == pb.MigrateProcessInstanceResponse()
        [job] = await _jobs(stub, "pay", instance)
        assert (job.elementId, job.processDefinitionKey, job.processDefinitionVersion) == (
            "charge",
            v2,
            2,
        )
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        [ship] = await _jobs(stub, "ship", instance)
        assert ship.bpmnProcessId == process_id


async def _jobs(stub: pb_grpc.GatewayStub, job_type: str, instance: int) -> list[pb.ActivatedJob]:
    """The jobs of `instance` of that type, waiting up to 10 s for them."""
    jobs: list[pb.ActivatedJob] = []
    request = pb.ActivateJobsRequest(
        type=job_type, worker="t", timeout=60_000, maxJobsToActivate=10, requestTimeout=10_000
    )
    async for response in stub.ActivateJobs(request):
        jobs.extend(j for j in response.jobs if j.processInstanceKey == instance)
    return jobs
