"""Fixtures shared by every test: real Kafka clusters started by the test session itself.

A cluster is a `broker.kafka_cluster.LocalCluster` on free loopback ports in a temporary
directory; it is stopped when the session ends, even when tests fail. With
`HONEYFLOW_TEST_KAFKA=docker` the session's broker (`kafka_bootstrap`) comes from
testcontainers instead (tests/support/kafka_source.py); the header and the end of the run say
which one was used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker.kafka_cluster import ClusterSpec, LocalCluster
from tests.support.kafka_source import (
    KafkaSourceError,
    describe,
    docker_kafka,
    kafka_source,
)

_used: list[str] = []
"""The Kafka this session started, once a test asked for it."""


def pytest_configure(config: pytest.Config) -> None:
    try:
        kafka_source(os.environ)
    except KafkaSourceError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_report_header(config: pytest.Config) -> str:
    return describe(kafka_source(os.environ))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _used:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """One single-node Kafka for the whole session (tests must use topics of their own)."""
    if kafka_source(os.environ) != "local":
        pytest.skip("needs the local launcher's cluster itself (HONEYFLOW_TEST_KAFKA=docker)")
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
def kafka_bootstrap(request: pytest.FixtureRequest) -> Iterator[str]:
    """The session's one broker: the local launcher's, or a testcontainers one."""
    source = kafka_source(os.environ)
    if source == "local":
        spec: ClusterSpec = request.getfixturevalue("kafka")
        _used.append(describe(source) + f" at {spec.bootstrap}")
        yield spec.bootstrap
        return
    container = docker_kafka(os.environ)
    try:
        bootstrap = container.__enter__()
    except KafkaSourceError as error:
        refused = str(error)
    else:
        refused = ""
    if refused:
        pytest.fail(refused, pytrace=False)
    _used.append(describe(source) + f" at {bootstrap}")
    try:
        yield bootstrap
    finally:
        container.__exit__(None, None, None)


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
