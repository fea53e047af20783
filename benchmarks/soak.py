"""`make soak`: Honeyflow under steady load for a while, on a local 3-node Kafka cluster.

Starts the cluster (broker/kafka_cluster.py), `--engines` `honeyflow engine` processes, a
`honeyflow exporter` into SQLite and a job worker in its own process; creates `--rate`
instances of the soak process per second (open loop) for `--minutes`: a job that fails into
an incident for every `--fail-every`-th instance (resolved by this driver `--incident-hold`
seconds later, so incidents come and go), a 1 s timer, and a message catch this driver
correlates once it sees the subscription open in the audit log. Every `--interval` seconds
it samples create → completed latency (p50/p99), each engine's RSS, each engine's RocksDB
size on disk, the exporter's lag and its own; at the end it drains (resolves what is left)
and checks that every instance it started completed exactly once, or is accounted for.

Prints a line per interval, the trend of each series over the second half (slope of a
least-squares line) and the accounting; writes samples.csv, soak.png and one PNG per panel
into `--out` (default build/soak/<UTC timestamp>/), whose path is the last line. Exits 1
when an instance is lost or doubled; flatness is reported, never asserted.

    python -m benchmarks.soak [--minutes 30] [--rate 100] [--bootstrap HOST:PORT]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from benchmarks.soak_ledger import Ledger
from benchmarks.soak_probes import (
    behind,
    cpu_seconds,
    directory_mb,
    exporter_offsets,
    rss_mb,
)
from benchmarks.soak_report import Sample, percentile, plot, trends, write_csv
from benchmarks.soak_workload import (
    MESSAGE_NAME,
    PROCESS_ID,
    SOAK_PROCESS,
    SoakWorker,
    variables_of,
)
from broker.kafka_cluster import LocalCluster
from broker.kafka_config import ClientConfig, client_config
from broker.protocol import Record
from broker.protocol.intents import JobIntent, MessageIntent
from broker.protocol.values import MessageRecordValue
from broker.topics import TopicSettings, ensure_topics
from clients import commands
from clients.client import Client, connect
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_offsets import watermarks
from processors.engine.message_partition import message_partition

REQUEST_TIMEOUT = 120.0
HONEYFLOW = str(Path(sys.executable).parent / "honeyflow")

# Compact JSON (docs/record-format.md): the few records the ledger needs, found without
# decoding the others.
_EVENT = b'"recordType":"EVENT"'
_WANTED = (
    b'"valueType":"PROCESS_INSTANCE_CREATION"',
    b'"valueType":"INCIDENT"',
    b'"valueType":"MESSAGE_SUBSCRIPTION"',
    b'"bpmnElementType":"PROCESS"',
)


class AuditReader:
    """Reads `<prefix>events` from the start into the ledger; publishes the message of each
    subscription that opens (time to live 0: it correlates now or never)."""

    def __init__(
        self,
        config: ClientConfig,
        topic: str,
        client: Client,
        ledger: Ledger,
        lock: threading.Lock,
        partitions: int,
    ) -> None:
        self._client = client
        self._ledger = ledger
        self._lock = lock
        self._partitions = partitions
        self.read: dict[int, int] = {}
        """Kafka partition → next offset to read."""
        self.published = 0
        self.publish_failed = 0
        self._consumer = Consumer(
            {
                **config,
                "group.id": f"soak-audit-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
            }
        )
        self._consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)]
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-audit", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            messages = self._consumer.consume(5000, 0.2)
            records = []
            for message in messages:
                if message.error() is not None:
                    continue
                self.read[message.partition() or 0] = (message.offset() or 0) + 1
                value = message.value() or b""
                if _EVENT in value and any(wanted in value for wanted in _WANTED):
                    records.append(json.loads(value))
            with self._lock:
                for record in records:
                    self._ledger.feed(record)
                keys = self._ledger.take_subscriptions()
            for key in keys:
                self._publish(key)

    def _publish(self, correlation_key: str) -> None:
        command = Record.command(
            MessageIntent.PUBLISH,
            MessageRecordValue(name=MESSAGE_NAME, correlation_key=correlation_key, time_to_live=0),
        )
        partition = message_partition(correlation_key, self._partitions)
        future = self._client.transport.send(command, partition, REQUEST_TIMEOUT)  # type: ignore[attr-defined]
        future.add_done_callback(self._published)

    def _published(self, future: Future[Record[Any]]) -> None:
        if future.exception() is None and future.result().is_event:
            self.published += 1
        else:
            self.publish_failed += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._consumer.close()


class LoadGenerator:
    """Creates `rate` instances per second on schedule (open loop) until stopped."""

    def __init__(
        self,
        client: Client,
        ledger: Ledger,
        lock: threading.Lock,
        rate: float,
        fail_every: int,
        max_in_flight: int,
    ) -> None:
        self._client = client
        self._ledger = ledger
        self._lock = lock
        self._rate = rate
        self._fail_every = fail_every
        self._max_in_flight = max_in_flight
        self.capped_s = 0.0
        """Seconds the generator waited because `max_in_flight` instances were unfinished."""
        self._round_robin = commands.RoundRobin(client.transport.partition_count)
        self.sent = 0
        self.unanswered = 0
        self.behind_s = 0.0
        """How late the generator sent its last create (it cannot send as fast as asked)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-load", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        i = 0
        while not self._stop.is_set():
            due = start + i / self._rate
            delay = due - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
                if self._stop.is_set():
                    break
            self.behind_s = max(-delay, 0.0)
            waited = self._wait_for_room()
            if waited:  # no burst to catch up afterwards: the schedule starts again from here
                start += waited
            command = commands.create_command(
                PROCESS_ID, variables_of(i, self._fail_every), None, False
            )
            with self._lock:
                self._ledger.sent_ms[i] = time.time() * 1000
            future = self._client.transport.send(  # type: ignore[attr-defined]
                command, self._round_robin.next(), REQUEST_TIMEOUT
            )
            future.add_done_callback(lambda f, i=i: self._answered(i, f))
            self.sent = i = i + 1

    def _wait_for_room(self) -> float:
        """Seconds waited until fewer than `max_in_flight` instances are unfinished: open loop
        while the engines keep up, the rate they hold when they cannot."""
        began = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                ledger = self._ledger
                in_flight = len(ledger.sent_ms) - ledger.completed - len(ledger.refused)
            if in_flight < self._max_in_flight:
                break
            self._stop.wait(0.05)
        waited = time.monotonic() - began
        self.capped_s += waited if waited > 0.01 else 0.0
        return waited if waited > 0.01 else 0.0

    def _answered(self, i: int, future: Future[Record[Any]]) -> None:
        error = future.exception()
        if error is not None:
            self.unanswered += 1
        elif future.result().is_rejection:
            with self._lock:
                self._ledger.refused.add(i)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


class IncidentResolver:
    """Resolves each incident `hold` seconds after it was raised, as an operator would: the
    instance's `fail` set to false, the job given a retry, the incident resolved."""

    def __init__(self, client: Client, ledger: Ledger, lock: threading.Lock, hold: float) -> None:
        self._client = client
        self._ledger = ledger
        self._lock = lock
        self.hold = hold
        self._handled: set[int] = set()
        self.failed = 0
        self._pool = ThreadPoolExecutor(4, "soak-resolve")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-incidents", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            now_ms = time.time() * 1000
            with self._lock:
                due = [
                    incident
                    for incident in self._ledger.open_incidents.values()
                    if incident.key not in self._handled
                    and now_ms - incident.created_ms >= self.hold * 1000
                ]
            for incident in due:
                self._handled.add(incident.key)
                self._pool.submit(
                    self._resolve, incident.key, incident.process_instance_key, incident.job_key
                )

    def _resolve(self, key: int, instance: int, job: int) -> None:
        transport = self._client.transport
        partition = commands.partition_of(key)
        try:
            # One partition, one producer: the three are processed in this order.
            first = transport.send(  # type: ignore[attr-defined]
                commands.set_variables_command(instance, {"fail": False}, False),
                partition,
                REQUEST_TIMEOUT,
            )
            second = transport.send(  # type: ignore[attr-defined]
                commands.job_command(JobIntent.UPDATE_RETRIES, job, retries=1),
                partition,
                REQUEST_TIMEOUT,
            )
            commands.check(first.result(REQUEST_TIMEOUT))
            commands.check(second.result(REQUEST_TIMEOUT))
            self._client.resolve_incident(key)
        except Exception as error:  # retried on the next round
            self.failed += 1
            print(f"soak: resolving incident {key} failed ({error}); retried", flush=True)
            self._handled.discard(key)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._pool.shutdown(wait=True)


@contextmanager
def kafka_cluster(bootstrap: str | None, nodes: int, directory: Path) -> Iterator[tuple[str, int]]:
    """(bootstrap, replication factor): the given cluster, or a local one started here and
    stopped at the end."""
    if bootstrap:
        yield bootstrap, 1
        return
    cluster = LocalCluster(directory)
    try:
        started = time.monotonic()
        spec = cluster.up(nodes, base_port=0)
        print(
            f"kafka: {nodes} node(s) at {spec.bootstrap} in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        yield spec.bootstrap, spec.replication_factor
    finally:
        cluster.down()


@contextmanager
def exporter_process(bootstrap: str, prefix: str, store: Path, log: Path) -> Iterator[int]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                HONEYFLOW,
                "exporter",
                "--bootstrap",
                bootstrap,
                "--prefix",
                prefix,
                "--store",
                str(store),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def end_offsets(consumer: Consumer, topic: str, partitions: int) -> dict[int, int]:
    return {p: watermarks(consumer, topic, p)[1] for p in range(partitions)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="of load")
    parser.add_argument("--rate", type=float, default=100.0, help="instances created per second")
    parser.add_argument("--nodes", type=int, default=3, choices=(1, 3), help="Kafka nodes")
    parser.add_argument("--engines", type=int, default=2, help="honeyflow engine processes")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds per sample")
    parser.add_argument(
        "--fail-every",
        type=int,
        default=100,
        help="every N-th instance's job fails into an incident (0: none)",
    )
    parser.add_argument(
        "--incident-hold",
        type=float,
        default=20.0,
        help="seconds an incident stays open before the driver resolves it",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=300.0,
        help="most seconds to wait at the end for the started instances",
    )
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=3000,
        help="instances unfinished at most: creating waits beyond (the rate the engines hold)",
    )
    parser.add_argument("--concurrency", type=int, default=64, help="worker handlers")
    parser.add_argument("--bootstrap", help="an existing Kafka instead of a local cluster")
    parser.add_argument("--out", type=Path, help="[default: build/soak/<UTC timestamp>]")
    parser.add_argument("--no-plots", action="store_true", help="CSV and text only")
    args = parser.parse_args(argv)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out: Path = (args.out or Path("build/soak") / stamp).resolve()
    out.mkdir(parents=True, exist_ok=True)
    command = " ".join(sys.argv)
    print(
        f"soak: {args.minutes:g} min at {args.rate:g}/s, {args.engines} engine(s),"
        f" {args.partitions} partitions, output {out}",
        flush=True,
    )
    ledger = Ledger()
    lock = threading.Lock()
    samples: list[Sample] = []
    exits: dict[str, tuple[int, float]] = {}
    """Engines that exited during the load: exit status, seconds into it."""
    with ExitStack() as stack:
        bootstrap, replication = stack.enter_context(
            kafka_cluster(args.bootstrap, args.nodes, out / "kafka")
        )
        config = client_config(bootstrap)
        topics = TopicSettings(
            prefix=f"soak-{uuid.uuid4().hex[:6]}.",
            partitions=args.partitions,
            replication_factor=replication,
        )
        ensure_topics(config, topics.core_topics())
        engines = EngineProcesses(config, topics, out / "engines", args.engines)
        stack.callback(engines.stop)
        engines.wait_until_serving()
        engine_pids = {f"engine-{n}": p.pid for n, p in enumerate(engines.processes, start=1)}
        url = f"kafka://{bootstrap}?prefix={topics.prefix}"
        exporter_pid = stack.enter_context(
            exporter_process(bootstrap, topics.prefix, out / "visibility.db", out / "exporter.log")
        )
        client = stack.enter_context(connect(url))
        client.deploy(SOAK_PROCESS)
        worker = SoakWorker(url, args.concurrency)
        stack.callback(worker.stop)
        reader = AuditReader(config, topics.events, client, ledger, lock, args.partitions)
        stack.callback(reader.stop)
        resolver = IncidentResolver(client, ledger, lock, args.incident_hold)
        stack.callback(resolver.stop)
        load = LoadGenerator(client, ledger, lock, args.rate, args.fail_every, args.max_in_flight)
        watcher = Consumer({**config, "group.id": f"soak-watch-{uuid.uuid4().hex[:8]}"})
        stack.callback(watcher.close)
        pids = {
            **engine_pids,
            "exporter": exporter_pid,
            "worker": worker.pid,
            "driver": os.getpid(),
        }
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}

        print(
            "t(s)  created/s completed/s  p50/p99 ms  incidents unfinished  exporter/driver"
            " lag  RSS MB  RocksDB MB  CPU %",
            flush=True,
        )
        load.start()
        started = time.monotonic()
        last_sent, last_at = 0, started
        end = started + args.minutes * 60
        while time.monotonic() < end:
            time.sleep(min(args.interval, max(end - time.monotonic(), 0.01)))
            now = time.monotonic()
            ends = end_offsets(watcher, topics.events, args.partitions)
            with lock:
                recent = ledger.take_completions()
                open_incidents = len(ledger.open_incidents)
                unfinished = ledger.unfinished()
            clean = [c.latency_ms for c in recent if not c.had_incident]
            sent = load.sent
            cpu_now = {name: cpu_seconds(pid) for name, pid in pids.items()}
            cpu = {
                name: 100 * (cpu_now[name] - cpu_before[name]) / (now - last_at) for name in pids
            }
            cpu_before = cpu_now
            sample = Sample(
                t_s=now - started,
                created_per_s=(sent - last_sent) / (now - last_at),
                completed_per_s=len(recent) / (now - last_at),
                p50_ms=percentile(clean, 0.5),
                p99_ms=percentile(clean, 0.99),
                open_incidents=open_incidents,
                unfinished=unfinished,
                exporter_lag=behind(ends, exporter_offsets(out / "visibility.db")),
                driver_lag=behind(ends, dict(reader.read)),
                rss_mb={name: rss_mb(pid) for name, pid in engine_pids.items()},
                rocksdb_mb={  # an engine that exited no longer keeps state
                    f"engine-{n}": directory_mb(out / "engines" / f"engine-{n}")
                    if engines.processes[n - 1].poll() is None
                    else float("nan")
                    for n in range(1, args.engines + 1)
                },
                cpu_pct=cpu,
                load_average=os.getloadavg()[0],
            )
            samples.append(sample)
            for n, process in enumerate(engines.processes, start=1):
                if process.poll() is not None and f"engine-{n}" not in exits:
                    exits[f"engine-{n}"] = (process.returncode, sample.t_s)
                    print(
                        f"soak: engine-{n} exited with {process.returncode}; see"
                        f" {engines.logs[n - 1]}",
                        flush=True,
                    )
            last_sent, last_at = sent, now
            print(sample.line(), flush=True)
        load.stop()
        load_seconds = time.monotonic() - started

        # Drain: every incident resolved at once; wait until every started instance is done.
        resolver.hold = 0.0
        drain_end = time.monotonic() + args.drain
        while time.monotonic() < drain_end:
            with lock:
                unfinished = ledger.unfinished()
                waiting = len(ledger.sent_ms) - len(ledger.key_of) - len(ledger.refused)
            if unfinished == 0 and waiting <= load.unanswered:
                break
            print(
                f"drain: {unfinished} started and not completed, {waiting} creates not"
                " seen started",
                flush=True,
            )
            time.sleep(5)
        time.sleep(2)  # a last duplicate would show now
        with lock:
            verdict = ledger.verdict()
            incidents = (ledger.incidents_created, ledger.incidents_resolved)
            records = ledger.records

    found = trends(samples)
    held = load.sent / load_seconds if load_seconds else 0.0
    summary = [
        f"command: {command}",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, load average"
        f" {os.getloadavg()[0]:.1f} at the end",
        f"load: {load.sent} creates in {load_seconds / 60:.1f} min = {held:.1f}/s asked"
        f" {args.rate:g}/s (creating waited {load.capped_s:.0f} s at {args.max_in_flight}"
        f" unfinished); {load.unanswered} creates unanswered; messages published"
        f" {reader.published} ({reader.publish_failed} failed); incidents raised {incidents[0]},"
        f" resolved {incidents[1]} ({resolver.failed} resolutions retried); audit log read"
        f" {records} records",
        "engines: "
        + (
            "; ".join(
                f"{name} exited with {code} after {t:.0f} s (the others took its partitions)"
                for name, (code, t) in exits.items()
            )
            or "all ran to the end"
        ),
        "trends over the second half:",
        *(f"  {t.line()}" for t in found),
        "accounting:",
        *(f"  {line}" for line in verdict.lines()),
        f"verdict: {'OK, nothing lost' if verdict.ok else 'FAILED'}",
    ]
    write_csv(samples, out / "samples.csv")
    if not args.no_plots and samples:
        title = (
            f"honeyflow soak {datetime.now(UTC):%Y-%m-%d}: {held:.0f}/s"
            f" asked {args.rate:g}/s,"
            f" {args.engines} engines, {args.partitions} partitions,"
            f" {args.nodes} Kafka nodes"
        )
        plot(samples, out, title)
    (out / "summary.txt").write_text("\n".join(summary) + "\n")
    print("\n".join(summary))
    print(out)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
