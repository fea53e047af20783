"""A single-node Kafka as a developer gets it: up, used by every client we depend on, down."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from broker.kafka_cluster import ClusterSpec, LocalCluster
from tests.conftest import pids_of

pytestmark = pytest.mark.kafka


def create_topic(bootstrap: str, name: str, partitions: int = 1, rf: int = 1) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(name, partitions, rf)]).values():
        future.result(timeout=30)


def consume_confluent(bootstrap: str, topic: str, count: int, timeout: float = 30) -> list[bytes]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"{topic}-reader",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while len(values) < count:
            assert time.monotonic() < deadline, f"only {len(values)} of {count} records arrived"
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            values.append(msg.value())
    finally:
        consumer.close()
    return values


async def test_up_produce_consume_down(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "kafka")
    spec = cluster.up(1, base_port=0)
    try:
        bootstrap = spec.bootstrap
        assert bootstrap.startswith("127.0.0.1:")
        assert (tmp_path / "kafka" / "node-1" / "logs" / "server.log").stat().st_size > 0
        create_topic(bootstrap, "roundtrip")

        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for i in range(10):
                await producer.send_and_wait("roundtrip", f"aiokafka-{i}".encode(), key=b"k")
        finally:
            await producer.stop()

        cp = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
        for i in range(10):
            cp.produce("roundtrip", f"confluent-{i}".encode(), key=b"k")
        assert cp.flush(30) == 0

        consumer = AIOKafkaConsumer(
            "roundtrip", bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            got = []
            while len(got) < 20:
                batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 30)
                got += [m.value for msgs in batch.values() for m in msgs]
        finally:
            await consumer.stop()
        expected = [f"aiokafka-{i}".encode() for i in range(10)]
        expected += [f"confluent-{i}".encode() for i in range(10)]
        assert got == expected
        assert consume_confluent(bootstrap, "roundtrip", 20) == expected
    finally:
        cluster.down()
    assert pids_of(tmp_path / "kafka") == []
    assert [n.up for n in cluster.status()] == [False]


def test_kcat_reads_and_writes(kafka_bootstrap: str, unique_name: str) -> None:
    kcat = shutil.which("kcat") or shutil.which("kafkacat")
    if kcat is None:
        if os.environ.get("CI"):
            pytest.fail("kcat is not installed (apt-get install kcat); CI must have it")
        pytest.skip("kcat is not installed (apt-get install kcat)")
    create_topic(kafka_bootstrap, unique_name)
    subprocess.run(
        [kcat, "-b", kafka_bootstrap, "-P", "-t", unique_name, "-K", ":"],
        input=b"a:first\nb:second\n",
        check=True,
        timeout=60,
    )
    out = subprocess.run(
        [kcat, "-b", kafka_bootstrap, "-C", "-t", unique_name, "-e", "-q", "-f", "%k=%s\n"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.decode().splitlines() == ["a=first", "b=second"]


def test_kafka_console_consumer_reads(kafka_bootstrap: str, unique_name: str) -> None:
    create_topic(kafka_bootstrap, unique_name)
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(unique_name, b'{"hello": "honeyflow"}')
    assert producer.flush(30) == 0
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "clients.cli.main",
            "kafka",
            "tool",
            "console-consumer",
            "--bootstrap-server",
            kafka_bootstrap,
            "--topic",
            unique_name,
            "--from-beginning",
            "--max-messages",
            "1",
            "--timeout-ms",
            "30000",
        ],
        capture_output=True,
        timeout=90,
    )
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    assert out.stdout.decode().strip() == '{"hello": "honeyflow"}'


async def test_faust_agent_consumes(kafka_bootstrap: str, unique_name: str) -> None:
    import faust

    create_topic(kafka_bootstrap, unique_name)
    app = faust.App(
        unique_name,
        broker=f"kafka://{kafka_bootstrap}",
        store="memory://",
        web_enabled=False,
        topic_replication_factor=1,
    )
    topic = app.topic(unique_name, value_type=bytes, value_serializer="raw")
    seen: list[bytes] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def collect(stream):  # type: ignore[no-untyped-def]
        async for value in stream:
            seen.append(value)
            if len(seen) == 3:
                done.set()

    await app.start()
    try:
        for i in range(3):
            await topic.send(value=f"faust-{i}".encode())
        await asyncio.wait_for(done.wait(), 60)
    finally:
        await app.stop()
    assert seen == [b"faust-0", b"faust-1", b"faust-2"]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clients.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_second_up_reuses_the_running_cluster(
    kafka_cluster: LocalCluster, kafka: ClusterSpec
) -> None:
    pid_before = kafka_cluster.pid(1)
    out = run_cli("kafka", "up", "--dir", str(kafka_cluster.directory))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == kafka.bootstrap
    assert kafka_cluster.pid(1) == pid_before

    status = run_cli("kafka", "status", "--dir", str(kafka_cluster.directory))
    assert status.returncode == 0, status.stderr
    row = next(
        line for line in status.stdout.splitlines() if f"{kafka.nodes[0].broker_port}" in line
    )
    assert str(pid_before) in row and " up " in row


def test_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run_cli("kafka", "up", "--dir", str(tmp_path / "k"), "--port", str(port))
    assert out.returncode != 0
    assert f"port {port}" in out.stderr and "in use" in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_java_is_named(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java there
    out = run_cli("kafka", "up", "--dir", str(tmp_path / "k"), "--port", "0", env=env)
    assert out.returncode != 0
    assert "Java not found" in out.stderr
    assert "Traceback" not in out.stderr


def test_status_without_cluster(tmp_path: Path) -> None:
    out = run_cli("kafka", "status", "--dir", str(tmp_path / "none"))
    assert out.returncode != 0
    assert "no cluster" in out.stderr
