"""Exporter throughput (records/s into the store) and its lag behind a log that grows at
200 one-task instances per second. Records come from the in-process engine; Kafka is a local
single node started here unless --bootstrap is given. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/exporter_bench.py [--instances N] [--seconds S] [--rate R]
        [--bootstrap HOST:PORT] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from confluent_kafka import Producer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from broker.kafka_cluster import LocalCluster  # noqa: E402
from broker.topics import TopicSettings, ensure_topics  # noqa: E402
from clients.client import connect  # noqa: E402
from processors.exporter.exporter import Exporter, ExporterSettings  # noqa: E402
from processors.exporter.store import open_store  # noqa: E402

ONE_TASK = REPO / "tests" / "engine" / "scenarios" / "one_task.bpmn"
PARTITIONS = 3


def workload(instances: int) -> list[dict[str, Any]]:
    """`instances` one-task instances, each created, its job activated and completed."""
    with connect(f"memory://?partitions={PARTITIONS}") as client:
        client.deploy(ONE_TASK)
        for start in range(0, instances, 100):
            count = min(100, instances - start)
            for i in range(count):
                client.create_instance("one_task", {"n": start + i})
            for job in client.activate_jobs("work", max_jobs=count, timeout=60):
                client.complete_job(job.key, {"done": True})
        return client.records()


@contextmanager
def kafka(bootstrap: str | None) -> Iterator[str]:
    if bootstrap:
        yield bootstrap
        return
    with tempfile.TemporaryDirectory(prefix="honeyflow-bench-") as directory:
        cluster = LocalCluster(Path(directory))
        try:
            yield cluster.up(1, base_port=0).bootstrap
        finally:
            cluster.down()


def new_topic(bootstrap: str) -> str:
    settings = TopicSettings(prefix=f"bench-{uuid.uuid4().hex[:8]}.", partitions=PARTITIONS)
    ensure_topics({"bootstrap.servers": bootstrap}, settings.core_topics())
    return settings.events


def produce(producer: Producer, topic: str, records: list[dict[str, Any]]) -> None:
    for r in records:
        producer.produce(
            topic,
            json.dumps(r, separators=(",", ":")).encode(),
            key=str(r["key"]).encode(),
            partition=r["partitionId"] - 1,
        )
        producer.poll(0)


def applied_positions(store_url: str) -> dict[int, int]:
    with open_store(store_url, create=False) as store:
        return dict(store.query("SELECT partition_id, position FROM exporter_positions"))


@contextmanager
def running_exporter(bootstrap: str, topic: str, store_url: str) -> Iterator[None]:
    exporter = Exporter(
        ExporterSettings({"bootstrap.servers": bootstrap}, topic, store_url, max_batch=5000)
    )
    stop = threading.Event()
    thread = threading.Thread(target=exporter.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(30)
        exporter.close()


def throughput(bootstrap: str, store_url: str, records: list[dict[str, Any]]) -> float:
    """Records/s from an exporter start on a full topic until the store has every record."""
    topic = new_topic(bootstrap)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    produce(producer, topic, records)
    producer.flush(60)
    last = {r["partitionId"]: r["position"] for r in records}
    started = time.perf_counter()
    with running_exporter(bootstrap, topic, store_url):
        while True:
            positions = applied_positions(store_url)
            if all(positions.get(p, 0) >= pos for p, pos in last.items()):
                return len(records) / (time.perf_counter() - started)
            time.sleep(0.05)


def lag_under_load(
    bootstrap: str, store_url: str, records: list[dict[str, Any]], rate: float
) -> list[float]:
    """Produce `records` paced at `rate` records/s; every 100 ms, sample how old the oldest
    produced-but-not-applied record is (seconds). Returns the samples."""
    topic = new_topic(bootstrap)
    produced: list[tuple[float, int, int]] = []  # (time, partition, position)
    done = threading.Event()

    def pace() -> None:
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
        start = time.perf_counter()
        chunk = max(int(rate / 100), 1)  # every 10 ms
        for i in range(0, len(records), chunk):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            part = records[i : i + chunk]
            produce(producer, topic, part)
            now = time.perf_counter()
            produced.extend((now, r["partitionId"], r["position"]) for r in part)
        producer.flush(60)
        done.set()

    samples: list[float] = []
    with running_exporter(bootstrap, topic, store_url):
        threading.Thread(target=pace, daemon=True).start()
        while True:
            time.sleep(0.1)
            now = time.perf_counter()
            applied = applied_positions(store_url)
            pending = [t for t, p, pos in list(produced) if pos > applied.get(p, 0)]
            samples.append(now - min(pending) if pending else 0.0)
            if done.is_set() and not pending:
                return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2000, help="for the throughput run")
    parser.add_argument("--rate", type=float, default=200.0, help="instances/s in the lag run")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the lag run")
    parser.add_argument("--bootstrap", default=None, help="use this Kafka instead of a local one")
    parser.add_argument("--postgres", action="store_true", help="also a throwaway PostgreSQL")
    args = parser.parse_args()

    generated = time.perf_counter()
    records = workload(max(args.instances, int(args.rate * args.seconds)))
    per_instance = len(records) / max(args.instances, int(args.rate * args.seconds))
    print(
        f"workload: {len(records)} records ({per_instance:.1f} per instance), "
        f"generated in {time.perf_counter() - generated:.1f} s"
    )
    with ExitStack() as stack:
        bootstrap = stack.enter_context(kafka(args.bootstrap))
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stores: dict[str, Callable[[str], str]] = {
            "sqlite": lambda name: str(directory / f"{name}.db")
        }
        if args.postgres:
            from tests.support.postgres import throwaway_postgres

            server = stack.enter_context(throwaway_postgres())
            stores["postgresql"] = lambda name: _postgres_database(server, name)
        for kind, store_for in stores.items():
            count = int(
                len(records) * args.instances / max(args.instances, int(args.rate * args.seconds))
            )
            rate = throughput(bootstrap, store_for("throughput"), records[:count])
            print(f"{kind}: throughput {rate:,.0f} records/s ({count} records)")
            lag_records = records[: int(args.rate * args.seconds * per_instance)]
            samples = lag_under_load(
                bootstrap, store_for("lag"), lag_records, args.rate * per_instance
            )
            ordered = sorted(samples)
            print(
                f"{kind}: lag at {args.rate:.0f} instances/s ({args.rate * per_instance:,.0f}"
                f" records/s) for {args.seconds:.0f} s: mean {statistics.mean(samples):.3f} s,"
                f" p95 {ordered[int(0.95 * (len(ordered) - 1))]:.3f} s, max {ordered[-1]:.3f} s"
            )


def _postgres_database(server: str, name: str) -> str:
    import psycopg

    database = f"bench_{name}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')  # generated name
    return server.rsplit("/", 1)[0] + "/" + database


if __name__ == "__main__":
    main()
