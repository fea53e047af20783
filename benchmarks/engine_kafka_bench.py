"""End-to-end throughput of the engine on Kafka: one-task instances created, their jobs taken
from the worker topic and completed, against raw Kafka produce-and-consume of the same number
of records. Usage: python -m benchmarks.engine_kafka_bench --bootstrap HOST:PORT [-n N]"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer, Producer

from broker.topics import TopicSettings, TopicSpec, ensure_topics
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client,
    EngineProcess,
    Worker,
    completed_instances,
    deploy_and_wait,
    read_all,
)


def engine_run(bootstrap: str, n: int, partitions: int) -> tuple[float, int]:
    topics = TopicSettings(prefix=f"bench-{uuid.uuid4().hex[:6]}.", partitions=partitions)
    engine = EngineProcess(bootstrap, topics.prefix, Path(tempfile.mkdtemp()) / "e", partitions)
    try:
        client = Client(bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process())
        worker = Worker(client, "work")
        start = time.monotonic()
        for i in range(n):
            client.send(commands.create_instance("one-task", {"i": i}))
        client.flush()
        while worker.completed < n:
            worker.poll(0.5)
        while True:
            records = read_all(bootstrap, topics.events, partitions)
            if len(completed_instances(records)) == n:
                break
        elapsed = time.monotonic() - start
        worker.close()
    finally:
        engine.stop()
    return elapsed, len(records)


def raw_run(bootstrap: str, count: int) -> float:
    topic = f"bench-raw-{uuid.uuid4().hex[:6]}"
    ensure_topics({"bootstrap.servers": bootstrap}, [TopicSpec(topic, 1, 1)])
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 2, "acks": "all"})
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": topic, "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    payload = b"x" * 400  # about the size of an audit-log record
    start = time.monotonic()
    for _ in range(count):
        producer.produce(topic, payload)
        producer.poll(0)
    producer.flush()
    seen = 0
    while seen < count:
        seen += len(consumer.consume(10_000, 1))
    elapsed = time.monotonic() - start
    consumer.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--partitions", type=int, default=2)
    args = parser.parse_args()
    elapsed, records = engine_run(args.bootstrap, args.n, args.partitions)
    print(f"engine: {args.n} instances in {elapsed:.1f}s = {args.n / elapsed:.0f} instances/s")
    print(f"records per instance (audit log): {records / args.n:.1f}")
    raw = raw_run(args.bootstrap, records)
    print(f"raw kafka: {records} records produced+consumed in {raw:.1f}s = {records / raw:.0f}/s")


if __name__ == "__main__":
    main()
