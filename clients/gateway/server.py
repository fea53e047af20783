"""The gateway's gRPC server (grpc.aio): the Gateway service and gRPC's health checking
service, plaintext, by default on loopback (TLS comes with security)."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Final

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from clients.gateway.service import GatewayService
from clients.kafka_transport import KafkaTransport

SERVICE_NAME = "gateway_protocol.Gateway"
_YOUNG_OBJECTS: Final = 20_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""
log = logging.getLogger(__name__)


class GatewayServer:
    """A started server; `port` is the bound one (ask for 0 to get a free port)."""

    def __init__(self, server: grpc.aio.Server, service: GatewayService, port: int) -> None:
        self.server = server
        self.service = service
        self.port = port

    async def stop(self, grace: float = 5.0) -> None:
        await self.server.stop(grace)
        self.service.close()


async def start_gateway(transport: KafkaTransport, host: str, port: int) -> GatewayServer:
    server = grpc.aio.server()
    service = GatewayService(transport)
    pb_grpc.add_GatewayServicer_to_server(service, server)
    checks = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checks, server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot listen on {host}:{port}")
    await server.start()
    for name in ("", SERVICE_NAME):
        await checks.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("gateway listening on %s:%d", host, bound)
    return GatewayServer(server, service, bound)


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
