"""Test harness for the engine on Kafka: engine processors as subprocesses (so SIGKILL is
real), a client that produces commands by the wire contract, a one-thread job worker and a
reader of the audit log."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from broker.protocol import Record, decode_partition, encode_record
from broker.topics import TopicSettings
from clients.kafka_offsets import watermarks
from processors.kafka.runtime import EngineRuntime, EngineSettings
from tests.kafka_runtime import commands

ROOT = Path(__file__).resolve().parents[2]


class EngineProcess:
    """`honeyflow engine` in a subprocess, its log in `data_dir/engine.log`."""

    def __init__(
        self, bootstrap: str, prefix: str, data_dir: Path, partitions: int, *extra: str
    ) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir.parent / f"{data_dir.name}.log"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clients.cli.main",
                "engine",
                "--bootstrap",
                bootstrap,
                "--prefix",
                prefix,
                "--partitions",
                str(partitions),
                "--data-dir",
                str(data_dir),
                "--verbose",
                *extra,
            ],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def owned(self) -> set[int]:
        """The partition ids this processor holds now, by its log (`--verbose`)."""
        owned: set[int] = set()
        for match in _HAND_OVER.finditer(self.log()):
            partition = int(match.group(2))
            if match.group(1) == "processing":
                owned.add(partition)
            else:
                owned.discard(partition)
        return owned


_HAND_OVER = re.compile(r"(processing|released) partition (\d+)")


@contextmanager
def engine_in_process(
    bootstrap: str, topics: TopicSettings, data_dir: Path, seconds: float = 60
) -> Iterator[EngineRuntime]:
    """An engine runtime on a thread of this process (so a test can patch what it calls),
    yielded once it owns every partition."""
    runtime = EngineRuntime(
        EngineSettings(
            client_config={"bootstrap.servers": bootstrap}, topics=topics, data_dir=data_dir
        )
    )
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(runtime.run(stop))
        except BaseException as error:  # reported by the test, not lost on the thread
            failure.append(error)

    thread = threading.Thread(target=run, name="engine")
    thread.start()
    try:
        deadline = time.monotonic() + seconds
        while runtime.partitions != list(range(1, topics.partitions + 1)):
            assert not failure and thread.is_alive(), failure
            assert time.monotonic() < deadline, "the engine did not take its partitions"
            time.sleep(0.1)
        yield runtime
        assert not failure and thread.is_alive(), failure  # the loop did not die meanwhile
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def wait_until_serving(
    bootstrap: str, topics: TopicSettings, engines: list[EngineProcess], seconds: float = 90
) -> None:
    """Until the engine group is stable with every one of `engines` in it and each partition
    is held by exactly one of them (so no hand-over follows right after)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for engine in engines:
            assert engine.process.poll() is None, engine.log()[-3000:]
        [future] = admin.describe_consumer_groups([topics.prefix + "engine"]).values()
        try:
            group = future.result(timeout=10)
        except (KafkaException, TimeoutError):
            time.sleep(0.2)  # no coordinator yet (a fresh cluster loads its offsets topic)
            continue
        held = sorted(p for engine in engines for p in engine.owned())
        if (
            str(group.state).endswith("STABLE")
            and len(group.members) == len(engines)
            and held == list(range(1, topics.partitions + 1))
        ):
            return
        time.sleep(0.2)
    raise AssertionError("the engines did not settle on the partitions in time")


class Client:
    """Produces commands like a client (request headers, partition routing) and reads the
    engine's topics."""

    def __init__(self, bootstrap: str, topics: TopicSettings) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.client_id = f"test-{uuid.uuid4().hex[:6]}"
        # Idempotent, as the client library's: a retried send after a broker failure must not
        # create a second instance.
        self._producer = Producer(
            {"bootstrap.servers": bootstrap, "linger.ms": 2, "enable.idempotence": True}
        )
        self._round_robin = itertools.cycle(range(1, topics.partitions + 1))

    def send(self, command: Record[Any], partition_id: int | None = None) -> str:
        """Send `command` (to the partition of its key, or round-robin); returns the request
        id."""
        if partition_id is None:
            partition_id = (
                decode_partition(command.key) if command.key > 0 else next(self._round_robin)
            )
        request_id = uuid.uuid4().hex
        self.send_raw(
            encode_record(command),
            partition_id,
            [
                ("honeyflow-request-id", request_id.encode()),
                ("honeyflow-client-id", self.client_id.encode()),
            ],
        )
        return request_id

    def send_raw(
        self, value: bytes, partition_id: int, headers: list[tuple[str, bytes]] | None = None
    ) -> None:
        self._producer.produce(
            self.topics.commands, value, partition=partition_id - 1, headers=headers or []
        )
        self._producer.poll(0)

    def flush(self) -> None:
        self._producer.flush(30)


def consumer(bootstrap: str, topics: list[str], group: str | None = None) -> Consumer:
    config: dict[str, Any] = {
        "bootstrap.servers": bootstrap,
        "group.id": group or f"reader-{uuid.uuid4().hex[:8]}",
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "enable.auto.commit": group is not None,
        # Job topics appear when the engine first publishes a job of their type.
        "topic.metadata.refresh.interval.ms": 1000,
    }
    c = Consumer(config)
    c.subscribe(topics)
    return c


def read_all(bootstrap: str, topic: str, partitions: int) -> list[dict[str, Any]]:
    """Every committed record of `topic` (all partitions) as JSON, in partition order."""
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"audit-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    records: list[dict[str, Any]] = []
    try:
        for p in range(partitions):
            tp = TopicPartition(topic, p)
            low, high = watermarks(c, topic, p, 30)  # waits out a leader election
            if low >= high:
                continue
            c.assign([TopicPartition(topic, p, low)])
            # read_committed: transaction markers take offsets too, so stop at the last one.
            idle = 0
            while c.position([tp])[0].offset < high - 1 and idle < 3:
                message = c.poll(0.5)
                if message is None:
                    idle += 1  # an open transaction holds the end back: read it next time
                    continue
                idle = 0
                if message.error():
                    continue
                if message.value() is not None:  # a tombstone (job topics are compacted)
                    records.append(json.loads(message.value()))
                if message.offset() >= high - 1:
                    break
    finally:
        c.close()
    return records


class Worker:
    """Takes jobs of one type from its topic (JOB_BATCH ACTIVATE with the job's key) and
    completes the activated ones."""

    def __init__(
        self, client: Client, job_type: str, name: str = "test-worker", group: str | None = None
    ) -> None:
        self.client = client
        self.job_type = job_type
        self.name = name
        topics = client.topics
        self._jobs = consumer(
            client.bootstrap,
            [topics.job_topic(job_type).name],
            group or f"{topics.prefix}workers.{job_type}",
        )
        self._responses = consumer(client.bootstrap, [topics.responses])
        self.completed = 0

    def poll(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for message in self._jobs.consume(500, 0.05):
                if message.error() or message.value() is None:  # None: the job ended
                    continue
                key = int(message.key())
                self.client.send(
                    commands.activate(self.job_type, key, self.name), decode_partition(key)
                )
            for message in self._responses.consume(500, 0.05):
                if message.error():
                    continue
                response = json.loads(message.value())
                if response["valueType"] == "JOB_BATCH" and response["intent"] == "ACTIVATED":
                    for job_key in response["value"]["jobKeys"]:
                        self.client.send(commands.complete(job_key, {"done": True}))
                        self.completed += 1
            self.client.flush()

    def close(self) -> None:
        self._jobs.close()
        self._responses.close()


def completed_instances(records: list[dict[str, Any]]) -> set[int]:
    return {
        r["key"]
        for r in records
        if r["valueType"] == "PROCESS_INSTANCE"
        and r["intent"] == "ELEMENT_COMPLETED"
        and r["value"]["bpmnElementType"] == "PROCESS"
    }


def events_of(
    records: list[dict[str, Any]], value_type: str, intent: str
) -> Iterator[dict[str, Any]]:
    return (
        r
        for r in records
        if r["valueType"] == value_type and r["intent"] == intent and r["recordType"] == "EVENT"
    )


def deploy_and_wait(client: Client, resource: bytes, seconds: float = 30) -> None:
    """Deploy on partition 1 and wait until every partition has the deployment."""
    client.send(commands.deploy(resource), partition_id=1)
    client.flush()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        records = read_all(client.bootstrap, client.topics.events, client.topics.partitions)
        deployed = {r["partitionId"] for r in events_of(records, "DEPLOYMENT", "CREATED")}
        if len(deployed) == client.topics.partitions:
            return
        time.sleep(0.3)
    raise AssertionError("the deployment did not reach every partition")
