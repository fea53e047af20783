"""Gateways are stateless: three run side by side in front of one engine, two are SIGKILLed
while commands pass through them, and clients carry on through another. Nothing is lost, and
what Zeebe would not apply twice is not applied twice: each job completes once (a retried
completion is NOT_FOUND), a retried message with its messageId is ALREADY_EXISTS. A create
whose answer was lost may be applied twice when the client retries it, as in Zeebe, where
CreateProcessInstance is not idempotent: the test counts such doubles instead of hiding them."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings
from clients.client import Client, connect
from tests.gateway.conftest import GatewayProcess
from tests.gateway.processes import _HEAD

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]

FAILOVER = (
    _HEAD
    + """  <bpmn:process id="gw-failover" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="gw-failover"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)
COUNT = 30
# A job the dead gateway had handed out comes back after its timeout: short, to keep the test short.
JOB_TIMEOUT_MS = 4_000
_GONE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.UNKNOWN}


@pytest.fixture
def honeyflow(kafka_bootstrap: str, cluster: tuple[str, TopicSettings]) -> Iterator[Client]:
    client = connect(f"kafka://{kafka_bootstrap}?prefix={cluster[1].prefix}")
    yield client
    client.close()


class Workers:
    """A pyzeebe ZeebeWorker on one gateway at a time; every handler call is counted."""

    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()
        self.running: list[tuple[ZeebeWorker, asyncio.Task[None], Any]] = []

    async def start(self, address: str) -> None:
        channel = create_insecure_channel(grpc_address=address)
        worker = ZeebeWorker(channel, request_timeout=1_000)

        @worker.task(task_type="gw-failover", timeout_ms=JOB_TIMEOUT_MS, before=[self._count])
        async def work(n: int) -> dict[str, Any]:
            await asyncio.sleep(0.02)
            return {"done": n}

        self.running.append((worker, asyncio.create_task(worker.work()), channel))

    async def _count(self, job: Job) -> Job:
        self.calls[job.key] += 1
        return job

    async def stop(self) -> None:
        for worker, working, channel in self.running:
            with contextlib.suppress(TimeoutError, grpc.aio.AioRpcError):
                await asyncio.wait_for(worker.stop(), 10)
            working.cancel()
            await channel.close()


async def _create(addresses: list[str], n: int, retried: list[int]) -> None:
    """Creates instance n through the first gateway that answers, retrying on the next one
    when a gateway dies under the call, as a client with several gateway addresses does."""
    for address in addresses:
        async with grpc.aio.insecure_channel(address) as channel:
            try:
                await pb_grpc.GatewayStub(channel).CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(
                        bpmnProcessId="gw-failover", version=-1, variables=f'{{"n": {n}}}'
                    ),
                    timeout=30,
                )
                return
            except grpc.aio.AioRpcError as error:
                if error.code() not in _GONE:
                    raise
                retried.append(n)
    raise AssertionError(f"no gateway created instance {n}")


def _records(client: Client, value_type: str, intent: str) -> list[dict[str, Any]]:
    return [
        r
        for r in client.records()
        if r["valueType"] == value_type and r["intent"] == intent and r["recordType"] == "EVENT"
    ]


def _failover_instances(client: Client, intent: str) -> dict[int, dict[str, Any]]:
    return {
        r["key"]: r
        for r in _records(client, "PROCESS_INSTANCE", intent)
        if r["value"]["bpmnProcessId"] == "gw-failover"
        and r["value"]["bpmnElementType"] == "PROCESS"
    }


def _await_all_completed(client: Client, expected: int) -> dict[int, dict[str, Any]]:
    deadline = time.monotonic() + 120
    while True:
        activated = _failover_instances(client, "ELEMENT_ACTIVATED")
        completed = _failover_instances(client, "ELEMENT_COMPLETED")
        if len(activated) >= expected and set(completed) == set(activated):
            return activated
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{len(completed)} of {len(activated)} instances completed (expected {expected})"
            )
        time.sleep(0.5)


def _n_of_each_instance(client: Client, instances: dict[int, dict[str, Any]]) -> list[int]:
    """The variable `n` each instance was created with (its VARIABLE CREATED record)."""
    return [
        int(r["value"]["value"])
        for r in _records(client, "VARIABLE", "CREATED")
        if r["value"]["name"] == "n" and r["value"]["scopeKey"] in instances
    ]


def _kill(gateway: GatewayProcess) -> None:
    gateway.process.send_signal(signal.SIGKILL)
    gateway.process.wait(10)


async def test_a_killed_gateway_loses_no_command(
    cluster: tuple[str, TopicSettings],
    kafka_bootstrap: str,
    tmp_path: Path,
    honeyflow: Client,
) -> None:
    prefix = cluster[1].prefix
    first, second, third = (
        GatewayProcess(kafka_bootstrap, prefix, tmp_path / f"{name}.log")
        for name in ("first", "second", "third")
    )
    resource = tmp_path / "failover.bpmn"
    resource.write_text(FAILOVER)
    workers = Workers()
    retried: list[int] = []
    try:
        async with create_insecure_channel(grpc_address=second.address) as channel:
            await ZeebeClient(channel).deploy_resource(resource)

        # (1) The workers' gateway dies while its worker holds jobs: they come back after
        # their timeout and a worker on another gateway completes them.
        await workers.start(first.address)
        creating = [_create([second.address, third.address], n, retried) for n in range(COUNT)]
        await asyncio.gather(*creating)
        while len(workers.calls) < COUNT // 3:
            await asyncio.sleep(0.05)
        _kill(first)
        await workers.start(third.address)
        await asyncio.to_thread(_await_all_completed, honeyflow, COUNT)

        # (2) The creators' gateway dies while three clients create one instance after the
        # other: the call under way and every later one go to another gateway.
        async def creator(numbers: range) -> None:
            for n in numbers:
                await _create([second.address, third.address], n, retried)

        pending = asyncio.gather(*(creator(range(COUNT + i, 2 * COUNT, 3)) for i in range(3)))
        while len(_failover_instances(honeyflow, "ELEMENT_ACTIVATED")) < COUNT + 5:
            await asyncio.sleep(0.02)
        _kill(second)
        await pending
        assert retried, "no create went to another gateway"
        instances = await asyncio.to_thread(_await_all_completed, honeyflow, 2 * COUNT)

        # (3) Retried through another gateway, a completion and a message are not applied twice.
        async with grpc.aio.insecure_channel(third.address) as channel:
            stub = pb_grpc.GatewayStub(channel)
            done_job = _records(honeyflow, "JOB", "COMPLETED")[0]["key"]
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await stub.CompleteJob(pb.CompleteJobRequest(jobKey=done_job))
            assert raised.value.code() == grpc.StatusCode.NOT_FOUND
            message = pb.PublishMessageRequest(
                name="gw-failover-note", correlationKey="k", timeToLive=60_000, messageId="m-1"
            )
            await stub.PublishMessage(message)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await stub.PublishMessage(message)
            assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS
    finally:
        await workers.stop()
        for gateway in (first, second, third):
            if gateway.process.poll() is None:
                gateway.stop()

    # Every n was created at least once; a double is only possible for a retried create.
    created = Counter(_n_of_each_instance(honeyflow, instances))
    assert set(created) == set(range(2 * COUNT))
    doubles = {n for n, times in created.items() if times > 1}
    assert doubles <= set(retried), (doubles, retried)
    assert len(instances) == 2 * COUNT + sum(created[n] - 1 for n in doubles)
    # Each job completed exactly once, though the dead gateway's jobs ran twice.
    completed = Counter(
        r["key"]
        for r in _records(honeyflow, "JOB", "COMPLETED")
        if r["value"]["type"] == "gw-failover"
    )
    assert set(completed.values()) == {1} and len(completed) == len(instances)
    print(
        f"handler calls {sum(workers.calls.values())} for {len(completed)} jobs;"
        f" creates retried {len(retried)}, applied twice {len(doubles)}"
    )
