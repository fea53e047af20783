"""The RPCs pyzeebe does not call, through the raw gateway_protocol stubs: create by
processDefinitionKey with start instructions, SetVariables, UpdateJobTimeout, FailJob into an
incident, UpdateJobRetries and ResolveIncident, CancelProcessInstance, BroadcastSignal, and
their NOT_FOUND answers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings
from clients.client import Client, connect
from clients.testing import assert_instance

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]


@pytest.fixture
def honeyflow(kafka_bootstrap: str, cluster: tuple[str, TopicSettings]) -> Iterator[Client]:
    client = connect(f"kafka://{kafka_bootstrap}?prefix={cluster[1].prefix}")
    yield client
    client.close()


async def _activate(stub: Any, job_type: str) -> pb.ActivatedJob:
    request = pb.ActivateJobsRequest(
        type=job_type, worker="t", timeout=30_000, maxJobsToActivate=1, requestTimeout=60_000
    )
    [job] = [j async for r in stub.ActivateJobs(request) for j in r.jobs]
    return job


async def test_job_and_instance_rpcs(
    deployed: Any, cluster: tuple[str, TopicSettings], honeyflow: Client
) -> None:
    [ops] = [d for d in deployed.deployments if d.bpmn_process_id == "gw-ops"]
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        created = await stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(
                processDefinitionKey=ops.process_definition_key,
                variables='{"a": 1}',
                startInstructions=[pb.ProcessInstanceCreationStartInstruction(elementId="charge")],
            )
        )
        assert created.bpmnProcessId == "gw-ops"
        assert created.processDefinitionKey == ops.process_definition_key
        key = created.processInstanceKey
        variables = await stub.SetVariables(
            pb.SetVariablesRequest(elementInstanceKey=key, variables='{"b": 2}')
        )
        assert variables.key > 0
        job = await _activate(stub, "gw-ops")
        assert job.processInstanceKey == key
        assert json.loads(job.variables) == {"a": 1, "b": 2}
        await stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=60_000))
        await stub.FailJob(
            pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="boom", variables='{"c": 3}')
        )
        incident = await asyncio.to_thread(_incident_of, honeyflow, key)
        assert incident["value"]["errorMessage"] == "boom"
        await stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=2))
        await stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident["key"]))
        again = await _activate(stub, "gw-ops")
        assert again.key == job.key and again.retries == 2
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))

        second = await stub.CreateProcessInstance(
            pb.CreateProcessInstanceRequest(bpmnProcessId="gw-ops", version=1)
        )
        await stub.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=second.processInstanceKey)
        )
        signal = await stub.BroadcastSignal(pb.BroadcastSignalRequest(signalName="nobody-waits"))
        assert signal.key > 0

        for call in (
            stub.CancelProcessInstance(
                pb.CancelProcessInstanceRequest(processInstanceKey=second.processInstanceKey)
            ),
            stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=1)),
            stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident["key"])),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await call
            assert raised.value.code() == grpc.StatusCode.NOT_FOUND, raised.value.details()
            assert " rejected with code 'NOT_FOUND': " in raised.value.details()
    assert_instance(honeyflow, key).is_completed().has_variable("b", 2)
    # FailJob's variables reach the engine on the command (the engine does not yet set them on
    # the task's scope as Zeebe 8 does: docs/gateway.md).
    [failed] = [
        r
        for r in honeyflow.records()
        if r["valueType"] == "JOB" and r["intent"] == "FAILED" and r["key"] == job.key
    ]
    assert failed["value"]["variables"] == {"c": 3}
    assert_instance(honeyflow, second.processInstanceKey).is_terminated()


def _incident_of(client: Client, instance_key: int) -> dict[str, Any]:
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
