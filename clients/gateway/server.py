"""The gateway's gRPC server (grpc.aio): the Gateway service and gRPC's health checking
service, on loopback in plaintext by default, or over TLS with a certificate chain and its
private key (PEM files, as Zeebe's gateway takes `certificateChainPath` and `privateKeyPath`)."""

from __future__ import annotations

import asyncio
import gc
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import grpc
from aiohttp import web
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from clients.gateway.authentication import Authenticator
from clients.gateway.clients_file import Clients
from clients.gateway.service import GatewayService
from clients.gateway.token_endpoint import TOKEN_PATH, start_token_endpoint
from clients.gateway.tokens import Tokens
from clients.kafka_transport import KafkaTransport

SERVICE_NAME = "gateway_protocol.Gateway"
_YOUNG_OBJECTS: Final = 20_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TlsFiles:
    """The server's certificate chain and private key, PEM."""

    certificate_chain: Path
    private_key: Path

    def credentials(self) -> grpc.ServerCredentials:
        """gRPC's server credentials; OSError naming the file that cannot be read."""
        chain = _read_pem(self.certificate_chain, "certificate chain", b"CERTIFICATE")
        key = _read_pem(self.private_key, "private key", b"PRIVATE KEY")
        return grpc.ssl_server_credentials([(key, chain)])

    def ssl_context(self) -> ssl.SSLContext:
        """The same certificate for an HTTPS server (the token endpoint)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate_chain, self.private_key)
        return context


def _read_pem(path: Path, what: str, label: bytes) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise OSError(f"cannot read the TLS {what} {path}: {e.strerror}") from e
    if b"-----BEGIN " not in data or label not in data:
        raise OSError(f"the TLS {what} {path} is not a PEM file with a {label.decode()}")
    return data


class GatewayServer:
    """A started server; `port` is the bound one (ask for 0 to get a free port)."""

    def __init__(
        self,
        server: grpc.aio.Server,
        service: GatewayService,
        port: int,
        token_endpoint: tuple[web.AppRunner, str] | None = None,
    ) -> None:
        self.server = server
        self.service = service
        self.port = port
        self._token_runner = None if token_endpoint is None else token_endpoint[0]
        self.token_url = None if token_endpoint is None else token_endpoint[1]
        """Where clients get their tokens (with --clients), `https://host:port/oauth/token`."""

    async def stop(self, grace: float = 5.0) -> None:
        if self._token_runner is not None:
            await self._token_runner.cleanup()
        await self.server.stop(grace)
        self.service.close()


@dataclass(frozen=True)
class Authentication:
    """`--clients`: who may call, and where the token endpoint listens (0: a free port)."""

    clients: Clients
    token_port: int


async def start_gateway(
    transport: KafkaTransport,
    host: str,
    port: int,
    tls: TlsFiles | None = None,
    authentication: Authentication | None = None,
) -> GatewayServer:
    credentials = None if tls is None else tls.credentials()
    tokens = None if authentication is None else Tokens(authentication.clients)
    if tokens is not None and tls is None:
        raise OSError("clients authenticate only over TLS: give --tls-certificate and --tls-key")
    interceptors = [] if tokens is None else [Authenticator(tokens)]
    server = grpc.aio.server(interceptors=interceptors)
    service = GatewayService(transport)
    pb_grpc.add_GatewayServicer_to_server(service, server)
    checks = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checks, server)
    address = f"{host}:{port}"
    if credentials is None:
        bound = server.add_insecure_port(address)
    else:
        bound = server.add_secure_port(address, credentials)
    if bound == 0:
        raise OSError(f"cannot listen on {host}:{port}")
    token_endpoint = None
    if tokens is not None and tls is not None and authentication is not None:
        runner, token_port = await start_token_endpoint(
            tokens, host, authentication.token_port, tls.ssl_context()
        )
        token_endpoint = (runner, f"https://{host}:{token_port}{TOKEN_PATH}")
    await server.start()
    for name in ("", SERVICE_NAME):
        await checks.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("gateway listening on %s:%d (%s)", host, bound, "plaintext" if tls is None else "TLS")
    return GatewayServer(server, service, bound, token_endpoint)


def settle_garbage_collector() -> None:
    """Once the server is up: what was built at start (modules, gRPC's and protobuf's
    descriptors, the Kafka clients) is left out of garbage collection for good, and the
    youngest generation is collected less often. Each RPC allocates many short-lived objects
    (a request, a record, a response); with Python's defaults the collector ran after every
    700 of them and, every hundredth run, went through everything loaded at start: 9 % of the
    gateway's CPU under load (py-spy)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(_YOUNG_OBJECTS, middle, old)


async def serve(transport: KafkaTransport, host: str, port: int, ready: asyncio.Event) -> None:
    """Run until cancelled."""
    gateway = await start_gateway(transport, host, port)
    ready.set()
    try:
        await gateway.server.wait_for_termination()
    finally:
        await gateway.stop()
