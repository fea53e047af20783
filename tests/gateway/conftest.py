"""One engine and one gateway on the session's Kafka for every test of the gateway, and the
processes deployed through it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.proto import gateway_pb2 as pb

from broker.topics import TopicSettings
from tests.gateway.processes import ALL
from tests.kafka_runtime.harness import ROOT, EngineProcess, wait_until_serving

PARTITIONS = 2


class GatewayProcess:
    """`honeyflow gateway --port 0` in a subprocess; `address` once it listens."""

    def __init__(self, bootstrap: str, prefix: str, log: Path, *options: str) -> None:
        self.log_path = log
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "clients.cli.main", "gateway"),
                *("--bootstrap", bootstrap, "--prefix", prefix, "--port", "0", *options),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log.open("wb"),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # EOF if it exits
        assert line.startswith("gateway listening on "), line + log.read_text()
        self.address = line.split()[-1]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="package")
def cluster(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, TopicSettings]]:
    """One engine and one gateway for the tests of the gateway: (gateway address, topics)."""
    topics = TopicSettings(prefix=f"gw-{uuid.uuid4().hex[:8]}.", partitions=PARTITIONS)
    directory = tmp_path_factory.mktemp("gateway")
    engine = EngineProcess(kafka_bootstrap, topics.prefix, directory / "engine", PARTITIONS)
    gateway: GatewayProcess | None = None
    try:
        wait_until_serving(kafka_bootstrap, topics, [engine])
        gateway = GatewayProcess(kafka_bootstrap, topics.prefix, directory / "gateway.log")
        yield gateway.address, topics
    finally:
        if gateway is not None:
            gateway.stop()
        engine.stop()


@pytest.fixture(scope="package")
def resources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("bpmn")
    paths = {}
    for name, xml in ALL.items():
        paths[name] = directory / name
        paths[name].write_text(xml)
    return paths


@pytest.fixture(scope="package")
def deployed(
    cluster: tuple[str, TopicSettings], resources: dict[str, Path]
) -> pb.DeployResourceResponse:
    address, _ = cluster

    async def deploy() -> Any:
        async with create_insecure_channel(grpc_address=address) as channel:
            return await ZeebeClient(channel).deploy_resource(*resources.values())

    return asyncio.run(deploy())
