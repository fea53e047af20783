"""What `engine_kafka_bench` needs besides the client library: a job worker in its own process
(the `clients.worker.Worker` a user runs, on `kafka://`), counting what a run wrote to a topic,
the engine's timestamps of each instance's steps from the audit log, and raw Kafka
produce-and-consume of the same number of records."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from broker.kafka_config import ClientConfig
from broker.topics import TopicSpec, ensure_topics
from clients.kafka_offsets import watermarks

# The one-task process every Kafka benchmark runs: start → service task `bench` → end.
ONE_TASK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="bench-one-task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _work(url: str, job_type: str, concurrency: int, stop: Event) -> None:
    from clients.client import connect
    from clients.worker import Worker

    with connect(url) as client:
        worker = Worker(client, name="bench-worker", poll_interval=0.005)

        @worker.task(job_type, max_jobs=concurrency, max_concurrency=concurrency)
        def handle() -> dict[str, Any]:
            return {"done": True}

        worker.start()
        stop.wait()
        worker.stop()


class CpuMeter:
    """CPU seconds used by named processes (and the machine's load average) between `start`
    and `per_instance`: on a shared machine, what each process of a run costs per instance
    says more than instances/s. Reads /proc (Linux); elsewhere it measures nothing."""

    def __init__(self, pids: dict[str, int | None]) -> None:
        self._pids = {name: pid for name, pid in pids.items() if pid is not None}
        self._start: dict[str, float] = {}

    def start(self) -> None:
        self._start = {name: _cpu_seconds(pid) for name, pid in self._pids.items()}

    def per_instance(self, instances: int) -> str:
        """'name X.XX ms, ...' CPU per instance since `start`, and the load average."""
        used = {
            name: _cpu_seconds(pid) - self._start.get(name, 0.0) for name, pid in self._pids.items()
        }
        parts = [f"{name} {1000 * seconds / instances:.2f}" for name, seconds in used.items()]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        return f"CPU ms per instance: {', '.join(parts)}; load average {load:.1f}"


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` (all its threads); 0 when unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / ticks


class WorkerProcess:
    """A job worker for `job_type` in a subprocess, as a user would run it next to the engine."""

    def __init__(self, url: str, job_type: str, concurrency: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._process = context.Process(
            target=_work, args=(url, job_type, concurrency, self._stop), daemon=True
        )
        self._process.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def stop(self) -> None:
        self._stop.set()
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()


@dataclass(frozen=True)
class TopicCount:
    records: int
    payload_bytes: int


def count_topic(config: ClientConfig, topic: str) -> TopicCount:
    """Committed records of every partition of `topic` and their value bytes (not decoded)."""
    consumer = Consumer(
        {
            **config,
            "group.id": f"bench-count-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=30)
        partitions = sorted(metadata.topics[topic].partitions)
        ends = {p: watermarks(consumer, topic, p)[1] for p in partitions}
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions if ends[p] > 0])
        open_partitions = {p for p in partitions if ends[p] > 0}
        records = size = 0
        while open_partitions:
            for message in consumer.consume(10_000, 1.0):
                error = message.error()
                partition = message.partition() or 0
                if error is not None:
                    open_partitions.discard(partition)  # end of partition
                    continue
                records += 1
                size += len(message.value() or b"")
                if (message.offset() or 0) + 1 >= ends[partition]:
                    open_partitions.discard(partition)
        return TopicCount(records, size)
    finally:
        consumer.close()


def end_offsets(config: ClientConfig, topic: str) -> dict[int, int]:
    """The end offset of every partition of `topic` now."""
    consumer = Consumer({**config, "group.id": f"bench-ends-{uuid.uuid4().hex[:8]}"})
    try:
        partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
        return {p: watermarks(consumer, topic, p)[1] for p in sorted(partitions)}
    finally:
        consumer.close()


@dataclass
class InstanceSteps:
    """Per instance (by its variable `i`), the engine's time (ms since the epoch: the record
    timestamp, taken when the engine starts the batch holding the command) of each step."""

    created: dict[int, int] = field(default_factory=dict)
    claimed: dict[int, int] = field(default_factory=dict)
    job_completed: dict[int, int] = field(default_factory=dict)


# Compact JSON (docs/record-format.md): enough to skip decoding every other record.
_EVENT = b'"recordType":"EVENT"'
_STEP_TYPES = (b'"valueType":"PROCESS_INSTANCE_CREATION"', b'"valueType":"JOB"')
_CLAIM = b'"valueType":"JOB_BATCH"'


def instance_steps(config: ClientConfig, topic: str, since: dict[int, int]) -> InstanceSteps:
    """Read the audit log from `since` to its end: process instance CREATED (its `i`), JOB
    CREATED (job → instance), JOB_BATCH ACTIVATED (the claim) and JOB COMPLETED."""
    ends = end_offsets(config, topic)
    consumer = Consumer(
        {
            **config,
            "group.id": f"bench-steps-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    instance_of: dict[int, int] = {}  # process instance key → i
    job_instance: dict[int, int] = {}  # job key → i
    steps = InstanceSteps()
    claims: list[tuple[int, list[int]]] = []
    try:
        open_partitions = {p for p, end in ends.items() if end > since.get(p, 0)}
        consumer.assign([TopicPartition(topic, p, since.get(p, 0)) for p in open_partitions])
        while open_partitions:
            for message in consumer.consume(10_000, 1.0):
                partition = message.partition() or 0
                if message.error() is not None:
                    open_partitions.discard(partition)  # end of partition
                    continue
                if (message.offset() or 0) + 1 >= ends[partition]:
                    open_partitions.discard(partition)
                value = message.value() or b""
                if _EVENT not in value or not (
                    any(t in value for t in _STEP_TYPES) or _CLAIM in value
                ):
                    continue
                record = json.loads(value)
                kind, intent, at = record["valueType"], record["intent"], record["timestamp"]
                if kind == "PROCESS_INSTANCE_CREATION" and intent == "CREATED":
                    i = record["value"]["variables"].get("i")
                    if isinstance(i, int):
                        instance_of[record["value"]["processInstanceKey"]] = i
                        steps.created[i] = at
                elif kind == "JOB" and intent == "CREATED":
                    i = instance_of.get(record["value"]["processInstanceKey"])
                    if i is not None:
                        job_instance[record["key"]] = i
                elif kind == "JOB" and intent == "COMPLETED":
                    i = job_instance.get(record["key"])
                    if i is not None:
                        steps.job_completed[i] = at
                elif kind == "JOB_BATCH" and intent == "ACTIVATED":
                    claims.append((at, record["value"]["jobKeys"]))
    finally:
        consumer.close()
    for at, job_keys in claims:
        for key in job_keys:
            i = job_instance.get(key)
            if i is not None:
                steps.claimed.setdefault(i, at)
    return steps


def raw_kafka(config: ClientConfig, count: int, size: int) -> float:
    """Seconds to produce `count` records of `size` bytes (acks=all, idempotent) to a
    one-partition topic and consume them back (read_committed)."""
    topic = f"bench-raw-{uuid.uuid4().hex[:6]}"
    ensure_topics(config, [TopicSpec(topic, 1, 1)])
    producer = Producer({**config, "linger.ms": 2, "acks": "all", "enable.idempotence": True})
    consumer = Consumer(
        {
            **config,
            "group.id": topic,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    payload = b"x" * size
    start = time.monotonic()
    for _ in range(count):
        while True:
            try:
                producer.produce(topic, payload)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush()
    seen = 0
    while seen < count:
        seen += sum(1 for m in consumer.consume(10_000, 1) if m.error() is None)
    elapsed = time.monotonic() - start
    consumer.close()
    return elapsed
