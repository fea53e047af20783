"""The gateway's clients file, tokens and role checks (`honeyflow gateway --clients`), without
Kafka: a token names its client and is refused when altered, expired or foreign; each role may
call what docs/gateway.md says and nothing else; the token endpoint grants client credentials
sent as pyzeebe and zbctl send them and refuses a wrong secret."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from pyzeebe.proto import gateway_pb2 as pb

from clients.cli.main import cli
from clients.gateway.authorization import ActivatedJobs, refusal
from clients.gateway.clients_file import ClientsFileError, add_client, load
from clients.gateway.token_endpoint import TOKEN_PATH, token_app
from clients.gateway.tokens import InvalidToken, Tokens


def _file(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "clients.json"
    secrets = {
        "ops": add_client(path, "ops", "operator"),
        "payer": add_client(path, "payer", "worker", ("pay", "refund")),
        "watcher": add_client(path, "watcher", "viewer"),
    }
    return path, secrets


def test_the_file_keeps_hashes_only_and_is_private(tmp_path: Path) -> None:
    path, secrets = _file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert all(secret not in text for secret in secrets.values())
    assert '"$argon2id$' in text
    clients = load(path)
    assert clients.authenticate("payer", secrets["payer"]) == clients.by_id["payer"]
    assert clients.by_id["payer"].job_types == ("pay", "refund")
    assert clients.authenticate("payer", secrets["ops"]) is None
    assert clients.authenticate("nobody", secrets["ops"]) is None


def test_bad_clients_are_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    with pytest.raises(ValueError, match="a worker needs at least one --job-type"):
        add_client(path, "w", "worker")
    with pytest.raises(ValueError, match="--job-type is for workers"):
        add_client(path, "o", "operator", ("pay",))
    with pytest.raises(ValueError, match="client id 'a b'"):
        add_client(path, "a b", "viewer")
    path.write_text('{"signing_key": "00", "clients": {}}')
    with pytest.raises(ClientsFileError, match="shorter than 32 bytes"):
        load(path)
    path.write_text("{")
    with pytest.raises(ClientsFileError, match=r"clients\.json is not JSON"):
        load(path)


def test_the_cli_prints_the_secret_once(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    options = ["--file", str(path), "--role", "worker", "--job-type", "pay"]
    result = CliRunner().invoke(cli, ["gateway", "clients", "add", "payer", *options])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("=", 1) for line in result.output.splitlines())
    assert lines["ZEEBE_CLIENT_ID"] == "payer"
    assert load(path).authenticate("payer", lines["ZEEBE_CLIENT_SECRET"]) is not None
    refused = CliRunner().invoke(
        cli, ["gateway", "clients", "add", "x", "--file", str(path), "--role", "worker"]
    )
    assert refused.exit_code == 1
    assert "a worker needs at least one --job-type" in refused.output
    plain = CliRunner().invoke(cli, ["gateway", "--address", "127.0.0.1:1", "--clients", str(path)])
    assert plain.exit_code == 2
    assert "--clients needs TLS" in plain.output


def test_tokens_name_their_client_until_they_expire(tmp_path: Path) -> None:
    path, _ = _file(tmp_path)
    tokens = Tokens(load(path), lifetime=300)
    token = tokens.issue(load(path).by_id["payer"], now=1_000)
    assert tokens.check(token, now=1_299).client_id == "payer"
    with pytest.raises(InvalidToken, match="expired"):
        Tokens(load(path)).check(token, now=1_300)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(InvalidToken, match="not valid"):
        tokens.check(altered, now=1_000)
    other = tmp_path / "other.json"
    add_client(other, "payer", "operator")
    foreign = Tokens(load(other)).issue(load(other).by_id["payer"], now=1_000)
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        tokens.check(foreign, now=1_000)
    # A gateway restarted with a file that no longer holds the client refuses its token.
    data = json.loads(path.read_text())
    del data["clients"]["payer"]
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidToken, match="client 'payer' of the token is not known"):
        Tokens(load(path)).check(token, now=1_000)


def test_what_each_role_may_call(tmp_path: Path) -> None:
    path, _ = _file(tmp_path)
    clients = load(path).by_id
    jobs = ActivatedJobs(limit=2)
    jobs.handed_out(1, "pay")
    jobs.handed_out(2, "ship")
    create = pb.CreateProcessInstanceRequest(bpmnProcessId="p")
    for method in ("CreateProcessInstance", "DeployResource", "CancelProcessInstance"):
        assert refusal(clients["ops"], method, create, jobs) is None
        assert refusal(clients["payer"], method, create, jobs) == (
            f"client payer (worker) may not call {method}"
        )
        assert refusal(clients["watcher"], method, create, jobs) is not None
    for client in clients.values():
        assert refusal(client, "Topology", pb.TopologyRequest(), jobs) is None
    payer = clients["payer"]
    assert refusal(payer, "ActivateJobs", pb.ActivateJobsRequest(type="refund"), jobs) is None
    assert refusal(
        payer, "StreamActivatedJobs", pb.StreamActivatedJobsRequest(type="ship"), jobs
    ) == ("client payer (worker) may activate jobs of type pay, refund, not 'ship'")
    assert refusal(payer, "CompleteJob", pb.CompleteJobRequest(jobKey=1), jobs) is None
    assert refusal(payer, "FailJob", pb.FailJobRequest(jobKey=2), jobs) == (
        "client payer (worker) may work on jobs of type pay, refund, not on job 2 of type 'ship'"
    )
    assert "job 9 was not activated through this gateway" in str(
        refusal(payer, "ThrowError", pb.ThrowErrorRequest(jobKey=9), jobs)
    )
    assert (
        refusal(payer, "UpdateJobRetries", pb.UpdateJobRetriesRequest(jobKey=1), jobs) is not None
    )
    jobs.handed_out(3, "pay")  # the oldest (1) is forgotten
    assert jobs.type_of(1) is None and jobs.type_of(3) == "pay"
    assert refusal(clients["watcher"], "ActivateJobs", pb.ActivateJobsRequest(type="pay"), jobs)


async def test_the_token_endpoint_grants_client_credentials(tmp_path: Path) -> None:
    path, secrets = _file(tmp_path)
    tokens = Tokens(load(path))
    async with TestClient(TestServer(token_app(tokens))) as http:
        form = {"grant_type": "client_credentials", "client_id": "payer"}
        granted = await http.post(
            TOKEN_PATH, data={**form, "client_secret": secrets["payer"], "audience": "zeebe-api"}
        )
        assert granted.status == 200
        body = await granted.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 300
        assert tokens.check(body["access_token"]).client_id == "payer"
        # zbctl sends JSON; requests-oauthlib, HTTP Basic.
        as_json = await http.post(TOKEN_PATH, json={**form, "client_secret": secrets["payer"]})
        assert as_json.status == 200
        basic = base64.b64encode(f"ops:{secrets['ops']}".encode()).decode()
        as_basic = await http.post(
            TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert tokens.check((await as_basic.json())["access_token"]).client_id == "ops"
        wrong = await http.post(TOKEN_PATH, data={**form, "client_secret": secrets["ops"]})
        assert wrong.status == 401
        assert (await wrong.json())["error"] == "invalid_client"
        password = await http.post(TOKEN_PATH, data={**form, "grant_type": "password"})
        assert password.status == 400
        assert (await password.json())["error"] == "unsupported_grant_type"


def test_a_call_s_commands_name_the_client_the_gateway_authenticated(tmp_path: Path) -> None:
    """What the gateway sends while serving a call is signed naming its client
    (docs/security.md, "Who sent a command"); outside a call, nobody."""
    import asyncio

    from clients.gateway.authentication import Authenticator
    from clients.kafka_requests import SPEAKING_FOR

    path, _ = _file(tmp_path)
    tokens = Tokens(load(path))
    token = tokens.issue(load(path).by_id["ops"])
    seen: list[str] = []

    async def inner(_request: object, _context: object) -> str:
        seen.append(SPEAKING_FOR.get())
        return "done"

    call = Authenticator(tokens)._unary(inner, [("authorization", f"Bearer {token}")], "Topology")
    assert asyncio.run(call(pb.TopologyRequest(), None)) == "done"
    assert seen == ["ops"]
    assert SPEAKING_FOR.get() == ""


def test_a_client_acts_only_in_its_tenants(tmp_path: Path) -> None:
    path = tmp_path / "clients.json"
    add_client(path, "ops-a", "operator", (), ("tenant-a",))
    add_client(path, "work-ab", "worker", ("pay",), ("tenant-a", "tenant-b"))
    add_client(path, "ops", "operator", ())
    clients = load(path).by_id
    jobs = ActivatedJobs()
    ops_a = clients["ops-a"]
    in_a = pb.CreateProcessInstanceRequest(bpmnProcessId="p", tenantId="tenant-a")
    in_b = pb.CreateProcessInstanceRequest(bpmnProcessId="p", tenantId="tenant-b")
    assert refusal(ops_a, "CreateProcessInstance", in_a, jobs) is None
    assert refusal(ops_a, "CreateProcessInstance", in_b, jobs) == (
        "Expected to handle gRPC request CreateProcessInstance with tenant identifier"
        " 'tenant-b', but tenant is not authorized to perform this request"
    )
    # No tenant named is the default tenant, which ops-a is not granted; ops is.
    plain = pb.DeployResourceRequest()
    assert "'<default>', but tenant is not authorized" in str(
        refusal(ops_a, "DeployResource", plain, jobs)
    )
    assert refusal(clients["ops"], "DeployResource", plain, jobs) is None
    with_result = pb.CreateProcessInstanceWithResultRequest(request=in_b)
    assert refusal(ops_a, "CreateProcessInstanceWithResult", with_result, jobs) is not None
    # An activation naming no tenant gets the worker's; one naming another is refused.
    worker = clients["work-ab"]
    activate = pb.ActivateJobsRequest(type="pay")
    assert refusal(worker, "ActivateJobs", activate, jobs) is None
    assert list(activate.tenantIds) == ["tenant-a", "tenant-b"]
    foreign = pb.ActivateJobsRequest(type="pay", tenantIds=["tenant-a", "tenant-c"])
    assert "tenant identifier 'tenant-c', but tenant is not authorized" in str(
        refusal(worker, "ActivateJobs", foreign, jobs)
    )
