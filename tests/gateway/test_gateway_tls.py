"""`honeyflow gateway --tls-certificate --tls-key`: the gateway serves TLS, and Camunda 8 clients
reach it as they reach a Zeebe gateway with TLS (pyzeebe's secure channel, zbctl with
--certPath), trusting the cluster's CA; a plaintext client is turned away."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from click.testing import CliRunner
from pyzeebe import create_secure_channel
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings
from clients.cli.main import cli
from clients.gateway.server import TlsFiles
from tests.gateway.conftest import PARTITIONS, GatewayProcess
from tests.gateway.test_zbctl import ZBCTL


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, and a certificate it signed for localhost / 127.0.0.1 (openssl)."""
    directory = tmp_path_factory.mktemp("tls")
    _openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
        *("-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=honeyflow test CA"),
        cwd=directory,
    )
    _openssl(
        *("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "gateway.key"),
        *("-out", "gateway.csr", "-subj", "/CN=localhost"),
        cwd=directory,
    )
    (directory / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl(
        *("x509", "-req", "-in", "gateway.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-days", "1", "-out", "gateway.pem", "-extfile", "san.ext"),
        cwd=directory,
    )
    return directory


def test_tls_options_go_together_and_name_a_bad_file(tmp_path: Path) -> None:
    options = ["--address", "127.0.0.1:1", "--tls-certificate", str(tmp_path / "c.pem")]
    result = CliRunner().invoke(cli, ["gateway", *options])
    assert result.exit_code == 2
    assert "--tls-certificate and --tls-key go together" in result.output
    not_pem = tmp_path / "gateway.pem"
    not_pem.write_text("hello\n")
    with pytest.raises(OSError, match=r"certificate chain .*gateway\.pem is not a PEM file"):
        TlsFiles(not_pem, not_pem).credentials()
    with pytest.raises(OSError, match=r"cannot read the TLS certificate chain .*missing\.pem"):
        TlsFiles(tmp_path / "missing.pem", not_pem).credentials()


@pytest.fixture(scope="module")
def tls_gateway(
    cluster: tuple[str, TopicSettings], kafka_bootstrap: str, certificates: Path
) -> Iterator[str]:
    gateway = GatewayProcess(
        kafka_bootstrap,
        cluster[1].prefix,
        certificates / "gateway.log",
        *("--tls-certificate", str(certificates / "gateway.pem")),
        *("--tls-key", str(certificates / "gateway.key")),
    )
    try:
        yield "localhost:" + gateway.address.rsplit(":", 1)[1]
    finally:
        gateway.stop()


@pytest.mark.kafka
@pytest.mark.timeout(180)
async def test_clients_reach_the_gateway_over_tls(tls_gateway: str, certificates: Path) -> None:
    trusted = grpc.ssl_channel_credentials((certificates / "ca.pem").read_bytes())
    async with create_secure_channel(tls_gateway, channel_credentials=trusted) as channel:
        topology = await pb_grpc.GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=30)
    assert topology.partitionsCount == PARTITIONS
    # A plaintext client does not get through.
    async with grpc.aio.insecure_channel(tls_gateway) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await pb_grpc.GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=10)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


@pytest.mark.kafka
@pytest.mark.timeout(180)
def test_zbctl_with_the_ca_certificate(tls_gateway: str, certificates: Path) -> None:
    if not ZBCTL.exists():
        pytest.skip(f"no zbctl at {ZBCTL} (make install)")
    done = subprocess.run(
        [str(ZBCTL), "status", "--address", tls_gateway],
        env={"ZEEBE_CA_CERTIFICATE_PATH": str(certificates / "ca.pem"), "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Partitions count: {PARTITIONS}" in done.stdout
