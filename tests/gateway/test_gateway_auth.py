"""`honeyflow gateway --clients FILE` over TLS: Camunda 8 clients get a token with their client
credentials (pyzeebe's OAuth channel) and work with it as their role allows; a call without a
token is UNAUTHENTICATED, a wrong secret gets no token, a worker cannot create instances nor
activate or complete another type's jobs (PERMISSION_DENIED)."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings
from clients.gateway.clients_file import add_client
from tests.gateway.conftest import PARTITIONS, GatewayProcess
from tests.gateway.test_gateway_tls import certificates  # noqa: F401 (a fixture)
from tests.gateway.test_zbctl import ZBCTL

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="gw-auth-pay" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pay"/>
    <bpmn:serviceTask id="pay">
      <bpmn:extensionElements><zeebe:taskDefinition type="gw-auth-pay"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True)
class AuthGateway:
    address: str
    token_url: str
    ca: Path
    secrets: dict[str, str]

    def channel(self, client_id: str) -> grpc.aio.Channel:
        return create_oauth2_client_credentials_channel(
            self.address,
            client_id,
            self.secrets[client_id],
            self.token_url,
            audience="zeebe-api",
            channel_credentials=grpc.ssl_channel_credentials(self.ca.read_bytes()),
        )


@pytest.fixture(scope="module")
def auth_gateway(
    cluster: tuple[str, TopicSettings],
    kafka_bootstrap: str,
    certificates: Path,  # noqa: F811
) -> Iterator[AuthGateway]:
    clients = certificates / "clients.json"
    secrets = {
        "ops": add_client(clients, "ops", "operator"),
        "payer": add_client(clients, "payer", "worker", ("gw-auth-pay",)),
    }
    gateway = GatewayProcess(
        kafka_bootstrap,
        cluster[1].prefix,
        certificates / "auth-gateway.log",
        *("--tls-certificate", str(certificates / "gateway.pem")),
        *("--tls-key", str(certificates / "gateway.key")),
        *("--clients", str(clients), "--token-port", "0"),
    )
    try:
        assert gateway.process.stdout is not None
        line = gateway.process.stdout.readline()
        assert line.startswith("token endpoint https://127.0.0.1:"), line
        token_url = line.split()[-1].replace("127.0.0.1", "localhost")
        port = gateway.address.rsplit(":", 1)[1]
        yield AuthGateway(f"localhost:{port}", token_url, certificates / "ca.pem", secrets)
    finally:
        gateway.stop()


async def _refused(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call  # type: ignore[misc]
    return refused.value


@pytest.mark.kafka
@pytest.mark.timeout(240)
async def test_clients_work_with_a_token_as_their_role_allows(
    auth_gateway: AuthGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests (under pyzeebe's OAuth channel) trusts the test CA for the token endpoint.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(auth_gateway.ca))
    bpmn = tmp_path / "pay.bpmn"
    bpmn.write_text(PROCESS)
    async with auth_gateway.channel("ops") as ops, auth_gateway.channel("payer") as payer:
        operator = ZeebeClient(ops)
        worker = pb_grpc.GatewayStub(payer)
        topology = await worker.Topology(pb.TopologyRequest(), timeout=30)
        assert topology.partitionsCount == PARTITIONS
        await operator.deploy_resource(bpmn)
        finished = asyncio.ensure_future(
            operator.run_process_with_result("gw-auth-pay", {"amount": 3}, timeout=60_000)
        )
        jobs: list[pb.ActivatedJob] = []
        while not jobs:
            request = pb.ActivateJobsRequest(
                type="gw-auth-pay",
                worker="payer",
                timeout=30_000,
                maxJobsToActivate=1,
                requestTimeout=5_000,
            )
            async for response in worker.ActivateJobs(request, timeout=30):
                jobs.extend(response.jobs)
        await worker.CompleteJob(
            pb.CompleteJobRequest(jobKey=jobs[0].key, variables='{"paid": true}'), timeout=30
        )
        result = await asyncio.wait_for(finished, 90)
        assert result.variables == {"amount": 3, "paid": True}

        # What a worker may not do.
        denied = await _refused(
            worker.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="gw-auth-pay", version=-1),
                timeout=30,
            )
        )
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        assert denied.details() == "client payer (worker) may not call CreateProcessInstance"
        other = worker.ActivateJobs(
            pb.ActivateJobsRequest(type="gw-charge", maxJobsToActivate=1, requestTimeout=-1),
            timeout=30,
        )
        with pytest.raises(grpc.aio.AioRpcError) as activating:
            async for _ in other:
                pass
        assert activating.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "may activate jobs of type gw-auth-pay, not 'gw-charge'" in str(
            activating.value.details()
        )
        # A job of another type, which the operator activated through this gateway.
        ship = tmp_path / "ship.bpmn"
        ship.write_text(PROCESS.replace("gw-auth-pay", "gw-auth-ship"))
        await operator.deploy_resource(ship)
        shipped = asyncio.ensure_future(
            operator.run_process_with_result("gw-auth-ship", timeout=60_000)
        )
        operators = pb_grpc.GatewayStub(ops)
        others: list[pb.ActivatedJob] = []
        while not others:
            request = pb.ActivateJobsRequest(
                type="gw-auth-ship",
                worker="ops",
                timeout=30_000,
                maxJobsToActivate=1,
                requestTimeout=5_000,
            )
            async for response in operators.ActivateJobs(request, timeout=30):
                others.extend(response.jobs)
        key = others[0].key
        foreign = await _refused(worker.CompleteJob(pb.CompleteJobRequest(jobKey=key), timeout=30))
        assert foreign.code() == grpc.StatusCode.PERMISSION_DENIED
        assert foreign.details() == (
            "client payer (worker) may work on jobs of type gw-auth-pay, "
            f"not on job {key} of type 'gw-auth-ship'"
        )
        # The refused completion changed nothing: the job is still the operator's to complete.
        await operators.CompleteJob(pb.CompleteJobRequest(jobKey=key), timeout=30)
        await asyncio.wait_for(shipped, 90)


@pytest.mark.kafka
@pytest.mark.timeout(120)
async def test_no_token_no_call_and_a_wrong_secret_no_token(auth_gateway: AuthGateway) -> None:
    trusted = grpc.ssl_channel_credentials(auth_gateway.ca.read_bytes())
    async with grpc.aio.secure_channel(auth_gateway.address, trusted) as channel:
        stub = pb_grpc.GatewayStub(channel)
        refused = await _refused(stub.Topology(pb.TopologyRequest(), timeout=30))
        assert refused.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "send 'authorization: Bearer <token>'" in str(refused.details())
        forged = await _refused(
            stub.Topology(
                pb.TopologyRequest(), timeout=30, metadata=[("authorization", "Bearer x.y.z")]
            )
        )
        assert forged.code() == grpc.StatusCode.UNAUTHENTICATED
        # Health checks (load balancers, Kubernetes probes) need no token.
        health = health_pb2_grpc.HealthStub(channel)
        checked = await health.Check(health_pb2.HealthCheckRequest(), timeout=30)
        assert checked.status == health_pb2.HealthCheckResponse.SERVING
    form = {
        "grant_type": "client_credentials",
        "client_id": "payer",
        "client_secret": auth_gateway.secrets["ops"],
    }
    request = urllib.request.Request(
        auth_gateway.token_url, data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    context = ssl.create_default_context(cafile=str(auth_gateway.ca))

    def post() -> urllib.error.HTTPError:
        with pytest.raises(urllib.error.HTTPError) as wrong:
            urllib.request.urlopen(request, timeout=30, context=context)
        return wrong.value

    wrong = await asyncio.to_thread(post)
    assert wrong.code == 401
    assert json.loads(wrong.read())["error"] == "invalid_client"


@pytest.mark.kafka
@pytest.mark.timeout(180)
def test_zbctl_with_client_credentials(auth_gateway: AuthGateway, tmp_path: Path) -> None:
    """zbctl (the Go client) posts its credentials as JSON and caches the token under HOME."""
    if not ZBCTL.exists():
        pytest.skip(f"no zbctl at {ZBCTL} (make install)")
    ca = str(auth_gateway.ca)
    # SSL_CERT_FILE: Go's HTTP client trusts the test CA for the token endpoint.
    env = {"ZEEBE_CA_CERTIFICATE_PATH": ca, "SSL_CERT_FILE": ca, "PATH": "/usr/bin"}
    env["HOME"] = str(tmp_path)
    command = [str(ZBCTL), "status", "--address", auth_gateway.address]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90)
    assert refused.returncode != 0
    assert "Unauthenticated" in refused.stdout + refused.stderr
    env["ZEEBE_CLIENT_ID"] = "ops"
    env["ZEEBE_CLIENT_SECRET"] = auth_gateway.secrets["ops"]
    env["ZEEBE_AUTHORIZATION_SERVER_URL"] = auth_gateway.token_url
    env["ZEEBE_TOKEN_AUDIENCE"] = "zeebe-api"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Partitions count: {PARTITIONS}" in done.stdout
