"""What `engine_kafka_bench` needs besides the client library: a job worker in its own process
(the `clients.worker.Worker` a user runs, on `kafka://`), counting what a run wrote to a topic,
and raw Kafka produce-and-consume of the same number of records."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from broker.kafka_config import ClientConfig
from broker.topics import TopicSpec, ensure_topics
from clients.kafka_offsets import watermarks


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
