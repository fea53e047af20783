"""The operator's RPCs through the gateway with pyzeebe's raw gateway_protocol stubs:
ModifyProcessInstance skips a broken step (terminate the failing task, activate the next one
with variables) and maps a rejection like every RPC; DeleteResource refuses a definition
with a running instance (FAILED_PRECONDITION), deletes it once the instance is gone, and an
unknown key is NOT_FOUND."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.protocol.keys import decode_partition
from broker.topics import TopicSettings
from tests.gateway.conftest import PARTITIONS

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]

REPAIR = Path(__file__).parents[1] / "engine" / "scenarios" / "repair.bpmn"


async def _one_job(stub: pb_grpc.GatewayStub, job_type: str) -> pb.ActivatedJob:
    request = pb.ActivateJobsRequest(
        type=job_type, worker="test", timeout=60_000, maxJobsToActivate=1, requestTimeout=10_000
    )
    async for answer in stub.ActivateJobs(request):
        if answer.jobs:
            return answer.jobs[0]
    raise AssertionError(f"no {job_type} job")


async def _instance_on_the_deployment_partition(stub: pb_grpc.GatewayStub, process_id: str) -> int:
    """An instance on partition 1, where a deletion is decided: that partition refuses to
    delete a definition while an instance of it runs there. Instances created round robin on
    the other partitions on the way are cancelled."""
    for _ in range(PARTITIONS):
        created = await stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId=process_id)
        )
        if decode_partition(created.processInstanceKey) == 1:
            return int(created.processInstanceKey)
        await stub.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=created.processInstanceKey)
        )
    raise AssertionError(f"no instance of {process_id} on partition 1")


async def test_modify_an_instance_and_delete_its_definition(
    cluster: tuple[str, TopicSettings],
) -> None:
    tag = uuid.uuid4().hex[:6]
    xml = (
        REPAIR.read_bytes()
        .replace(b'id="repair"', f'id="repair-{tag}"'.encode())
        .replace(b'type="check"', f'type="check-{tag}"'.encode())
        .replace(b'type="ship"', f'type="ship-{tag}"'.encode())
    )
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        deployed = await stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="repair.bpmn", content=xml)])
        )
        definition = deployed.deployments[0].process.processDefinitionKey
        instance = await _instance_on_the_deployment_partition(stub, f"repair-{tag}")
        check = await _one_job(stub, f"check-{tag}")

        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await stub.ModifyProcessInstance(
                pb.ModifyProcessInstanceRequest(
                    processInstanceKey=instance,
                    activateInstructions=[
                        pb.ModifyProcessInstanceRequest.ActivateInstruction(elementId="nowhere")
                    ],
                )
            )
        assert unknown.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert unknown.value.details() == (
            "Command 'MODIFY' rejected with code 'INVALID_ARGUMENT': Expected to modify"
            f" instance of process 'repair-{tag}' but it contains one or more activate"
            " instructions with an element that could not be found: 'nowhere'"
        )
        with pytest.raises(grpc.aio.AioRpcError) as not_json:
            await stub.ModifyProcessInstance(
                pb.ModifyProcessInstanceRequest(
                    processInstanceKey=instance,
                    activateInstructions=[
                        pb.ModifyProcessInstanceRequest.ActivateInstruction(
                            elementId="ship",
                            variableInstructions=[
                                pb.ModifyProcessInstanceRequest.VariableInstruction(variables="[1]")
                            ],
                        )
                    ],
                )
            )
        assert not_json.value.code() is grpc.StatusCode.INVALID_ARGUMENT

        await stub.ModifyProcessInstance(
            pb.ModifyProcessInstanceRequest(
                processInstanceKey=instance,
                activateInstructions=[
                    pb.ModifyProcessInstanceRequest.ActivateInstruction(
                        elementId="ship",
                        variableInstructions=[
                            pb.ModifyProcessInstanceRequest.VariableInstruction(
                                variables='{"fixed": true}'
                            )
                        ],
                    )
                ],
                terminateInstructions=[
                    pb.ModifyProcessInstanceRequest.TerminateInstruction(
                        elementInstanceKey=check.elementInstanceKey
                    )
                ],
            )
        )
        ship = await _one_job(stub, f"ship-{tag}")
        assert ship.processInstanceKey == instance
        assert json.loads(ship.variables)["fixed"] is True

        with pytest.raises(grpc.aio.AioRpcError) as running:
            await stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=definition))
        assert running.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        assert "there are still running instances" in (running.value.details() or "")
        await stub.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=instance)
        )
        await stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=definition))
        with pytest.raises(grpc.aio.AioRpcError) as gone:
            await stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId=f"repair-{tag}")
            )
        assert gone.value.code() is grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=definition))
        assert missing.value.code() is grpc.StatusCode.NOT_FOUND
