"""Fixtures shared by every test: real Kafka clusters started by the test session itself.

A cluster is a `broker.kafka_cluster.LocalCluster` on free loopback ports in a temporary
directory; it is stopped when the session ends, even when tests fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker.kafka_cluster import ClusterSpec, LocalCluster


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """One single-node Kafka for the whole session (tests must use topics of their own)."""
    cluster = LocalCluster(tmp_path_factory.mktemp("kafka-single"))
    try:
        cluster.up(1, base_port=0)
        yield cluster
    finally:
        cluster.down()


@pytest.fixture(scope="session")
def kafka(kafka_cluster: LocalCluster) -> ClusterSpec:
    spec = kafka_cluster.spec()
    assert spec is not None
    return spec


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka: ClusterSpec) -> str:
    return kafka.bootstrap


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A topic/group name unique to the test, readable in the broker's logs."""
    import uuid

    # Kafka allows [a-zA-Z0-9._-] in topic names; parameter ids may hold anything (a cron
    # expression's spaces and '#').
    readable = re.sub(r"[^a-zA-Z0-9._-]", "-", request.node.name[:40])
    return f"t-{readable}-{uuid.uuid4().hex[:8]}"


def pids_of(directory: Path) -> list[int]:
    """JVMs whose command line names a file under `directory` (none must outlive `down`)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"kafka.Kafka" in cmdline and str(directory).encode() in cmdline:
            found.append(int(proc.name))
    return found
