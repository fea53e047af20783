"""`honeyflow demo` (what `make demo` runs): Honeyflow end to end on a local Kafka.

It starts Kafka (kept running afterwards), two engine processes and the order workers of
examples/order_workers.py, deploys examples/order-process.bpmn, places a few hundred orders —
some with a payment that fails once and is retried, some without a shipping address, which
stop with an incident — follows them on the audit log, and prints what happened.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from broker.errors import BrokerError
from broker.kafka_cluster import DEFAULT_BASE_PORT, LocalCluster
from broker.topics import TopicSettings, ensure_topics
from clients.cli.kafka_commands import DEFAULT_DIR
from clients.client import Client, connect
from clients.errors import HoneyflowError
from clients.kafka_audit import AuditLogTail
from clients.kafka_engine_processes import EngineProcesses

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROCESS_FILE = EXAMPLES / "order-process.bpmn"
WORKERS_FILE = EXAMPLES / "order_workers.py"
JOB_TYPES = ("payment", "inventory", "shipping")
PARTITIONS = 3


def order_variables(order_id: int) -> dict[str, Any]:
    """Every tenth order has no shipping address (→ an incident at "Ship order"); the workers
    let the first payment attempt of every seventh order fail (→ a retry)."""
    variables: dict[str, Any] = {
        "orderId": order_id,
        "total": 10 + (order_id * 7) % 90,
        "items": [{"sku": f"SKU-{order_id % 5}", "quantity": 1 + order_id % 3}],
    }
    if order_id % 10 != 0:
        variables["shippingAddress"] = {
            "street": f"{order_id} Main St",
            "zip": f"{10000 + order_id}",
        }
    return variables


@dataclass
class OrderBook:
    """What the audit log says about process instances, by process instance key."""

    started: dict[int, int] = field(default_factory=dict)
    completed: dict[int, int] = field(default_factory=dict)
    incidents: dict[int, dict[str, Any]] = field(default_factory=dict)
    failed_jobs: dict[int, int] = field(default_factory=dict)

    def add(self, record: dict[str, Any]) -> None:
        if record.get("recordType") != "EVENT":
            return
        value, kind, intent = record["value"], record["valueType"], record["intent"]
        if kind == "PROCESS_INSTANCE" and value.get("bpmnElementType") == "PROCESS":
            key = value["processInstanceKey"]
            if intent == "ELEMENT_ACTIVATING":
                self.started[key] = record["timestamp"]
            elif intent == "ELEMENT_COMPLETED":
                self.completed[key] = record["timestamp"]
        elif kind == "INCIDENT" and intent == "CREATED":
            self.incidents[value["processInstanceKey"]] = value
        elif kind == "JOB" and intent == "FAILED":
            key = value["processInstanceKey"]
            self.failed_jobs[key] = self.failed_jobs.get(key, 0) + 1

    def settled(self, ours: set[int]) -> int:
        return len(ours & (set(self.completed) | set(self.incidents)))


@click.command()
@click.option("--orders", type=click.IntRange(1), default=300, show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_BASE_PORT, show_default=True)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Kafka's directory; the engines and workers run in its sibling `<DIR>-demo/`.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=300,
    show_default=True,
    help="Seconds to wait for the orders to complete or stop at an incident.",
)
def demo(orders: int, port: int, directory: Path, timeout: float) -> None:
    """Run the order process on a local Kafka with two engines and Python workers."""
    console = Console(highlight=False)
    try:
        console.print(f"Starting Kafka in {directory} ...")
        spec = LocalCluster(directory).up(1, base_port=port)
        bootstrap = spec.bootstrap
        config: dict[str, str | int | float | bool] = {"bootstrap.servers": bootstrap}
        topics = TopicSettings(partitions=PARTITIONS, replication_factor=spec.replication_factor)
        reports = ensure_topics(
            config, [*topics.core_topics(), *(topics.job_topic(t) for t in JOB_TYPES)]
        )
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    mismatched = [r.describe() for r in reports if r.outcome == "mismatch"]
    if mismatched:
        raise click.ClickException("\n".join(mismatched))
    console.print(f"Kafka is up at {bootstrap}; topics {topics.prefix}* ready")

    # Beside Kafka's directory, one per Kafka (two demos on two directories share nothing).
    run_dir = directory.resolve().with_name(directory.resolve().name + "-demo")
    url = f"kafka://{bootstrap}?prefix={topics.prefix}"
    book = OrderBook()
    ours: set[int] = set()
    try:
        with _engines(config, topics, run_dir, console), connect(url) as client:
            deployment = client.deploy(PROCESS_FILE)
            [process] = deployment.processes
            console.print(
                f"Deployed {PROCESS_FILE.name}: {process.bpmn_process_id} version {process.version}"
            )
            with _workers(url, run_dir, console):
                tail = AuditLogTail(config, topics.events)
                try:
                    _place_orders(client, tail, book, ours, orders, timeout, console)
                finally:
                    tail.close()
    except HoneyflowError as e:
        raise click.ClickException(str(e)) from e
    _summary(book, ours, console)
    console.print(
        "\nThe audit log, as it happens:\n"
        f"  kcat -b {bootstrap} -C -t {topics.events} -o end -u\n"
        f"Engine and worker logs: {run_dir}/\n"
        f"Kafka keeps running; stop it with: honeyflow kafka down --dir {directory}"
    )


@contextmanager
def _engines(
    config: dict[str, str | int | float | bool],
    topics: TopicSettings,
    run_dir: Path,
    console: Console,
) -> Iterator[EngineProcesses]:
    # The engines' RocksDB state is a cache of Kafka: start from Kafka, not from a stale copy.
    for old in run_dir.glob("engine-*"):
        if old.is_dir():
            shutil.rmtree(old)
    console.print("Starting two engine processes ...")
    engines = EngineProcesses(config, topics, run_dir, count=2)
    try:
        engines.wait_until_serving()
        console.print(f"Engines serve partitions 1..{topics.partitions}")
        yield engines
    finally:
        engines.stop()
        console.print("Engines stopped")


@contextmanager
def _workers(url: str, run_dir: Path, console: Console) -> Iterator[None]:
    log = run_dir / "workers.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(WORKERS_FILE), url, "--name", "demo-workers"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    console.print(f"Workers started ({WORKERS_FILE.name}: {', '.join(JOB_TYPES)})")
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)  # they finish the jobs in hand first
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        console.print("Workers stopped")


def _place_orders(
    client: Client,
    tail: AuditLogTail,
    book: OrderBook,
    ours: set[int],
    orders: int,
    timeout: float,
    console: Console,
) -> None:
    lock = threading.Lock()

    def place(order_id: int) -> None:
        key = client.create_instance("order-process", order_variables(order_id))
        with lock:
            ours.add(key)

    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress, ThreadPoolExecutor(4) as pool:
        placed_bar = progress.add_task("orders placed", total=orders)
        settled_bar = progress.add_task("orders settled", total=orders)
        futures = [pool.submit(place, n) for n in range(1, orders + 1)]
        for future in futures:
            future.add_done_callback(lambda _f: progress.advance(placed_bar))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in tail.poll(0.2):
                book.add(record)
            for future in futures:
                error = future.exception() if future.done() else None
                if error is not None:
                    raise error
            with lock:
                settled = book.settled(ours)
                placed = len(ours)
            progress.update(settled_bar, completed=settled)
            if placed == orders and settled == orders:
                break


def _summary(book: OrderBook, ours: set[int], console: Console) -> None:
    completed = [k for k in ours if k in book.completed]
    incidents = [k for k in ours if k in book.incidents]
    in_flight = len(ours) - len(set(completed) | set(incidents))
    durations = [book.completed[k] - book.started[k] for k in completed if k in book.started]
    mean = sum(durations) / len(durations) if durations else 0.0
    retries = sum(book.failed_jobs.get(k, 0) for k in ours)
    console.print("\nSummary")
    console.print(f"  orders placed     {len(ours)}")
    console.print(f"  completed         {len(completed)}")
    console.print(f"  in flight         {in_flight}")
    console.print(f"  incidents         {len(incidents)}")
    console.print(f"  payment retries   {retries}")
    console.print(f"  mean duration     {mean:.0f} ms (placed → fulfilled)")
    if incidents:
        example = book.incidents[sorted(incidents)[0]]
        console.print(
            f"  e.g. incident on {example['elementId']!r} ({example['errorType']}):"
            f" {example['errorMessage']}"
        )
