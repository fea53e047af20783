"""The README's way, end to end on one node: a synchronous `Client` shared by 32 threads, each
creating one-task instances with their result in a loop, and the README's `Worker` (default
poll interval and `max_jobs`, `max_concurrency` 64) in a process of its own.

Prints, each run `--runs` times beside its peer in the same run (each way first in every
other run):
(a) instances/s of the README's way, with the `Worker` as it is (COMPLETE sent without holding
    a handler slot for its answer) and with a `Worker` that waits for each answer in the
    handler slot (the way before #14), and the CPU each process used per instance;
(b) the `Worker`'s jobs/s on a backlog (`--backlog` instances created first, then the worker
    started: the engine keeps up), both ways;
(c) raw Kafka produce+consume of as many records as the audit log holds per instance;
(d) the `Worker`'s jobs/s against a stand-in engine that answers every claim and COMPLETE at
    once (`benchmarks.answering_stub`), both ways: the worker's own limit.

    python -m benchmarks.readme_bench --bootstrap HOST:PORT [-n 3000] [--threads 32]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from benchmarks import latency_trace
from benchmarks.answering_stub import AnsweringStub
from benchmarks.kafka_bench_support import (
    ONE_TASK,
    CpuMeter,
    InstanceSteps,
    count_topic,
    end_offsets,
    instance_steps,
    raw_kafka,
)
from broker.kafka_config import ClientConfig, client_config
from broker.protocol import Record
from broker.topics import TopicSettings, ensure_topics
from clients import commands
from clients.client import Client, connect
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_transport import KafkaTransport

_TIMEOUT = 120.0


def _append_time(config: ClientConfig, topic: str) -> None:
    """`topic` stamps its records with the broker's append time (LogAppendTime)."""
    from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

    entry = ConfigEntry(
        "message.timestamp.type",
        "LogAppendTime",
        incremental_operation=AlterConfigOpType.SET,
    )
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[entry])
    admin = AdminClient(dict(config))
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(30)


def _trace_children(directory: Path) -> None:
    """Trace this process and the engine and Worker processes it starts (`latency_trace`)."""
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[latency_trace.ENV] = str(directory)
    boot = str(Path(__file__).parent / "trace_boot")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [boot, *filter(None, os.environ.get("PYTHONPATH", ".").split(os.pathsep))]
    )
    latency_trace.install(str(directory))


class _Waiting:
    """A KafkaTransport without `send`: the `Worker` then waits for each COMPLETE's answer in
    the handler slot, as before #14 (the peer of the same run)."""

    def __init__(self, transport: KafkaTransport) -> None:
        self._transport = transport
        self.partition_count = transport.partition_count
        self.claim_jobs = transport.claim_jobs
        self.activate_jobs = transport.activate_jobs
        self.records = transport.records
        self.close = transport.close

    def request(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        return self._transport.request(command, partition_id, timeout)


def _work(
    url: str,
    waiting: bool,
    concurrency: int,
    stop: Event,
    ready: Event,
    completed: Synchronized[int],
) -> None:
    from clients.worker import Worker

    transport = KafkaTransport.open(url)
    client = Client(_Waiting(transport) if waiting else transport)  # type: ignore[arg-type]
    worker = Worker(client, name="readme-worker")

    @worker.task("bench", max_concurrency=concurrency)
    def handle() -> dict[str, Any]:
        return {"done": True}

    worker.start()
    ready.set()
    while not stop.wait(0.02):  # COMPLETEs the engine accepted, for the jobs/s runs
        completed.value = worker.counts().completed
    worker.stop()
    client.close()


class WorkerProcess:
    def __init__(self, url: str, waiting: bool, concurrency: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._ready = context.Event()
        self.completed: Synchronized[int] = context.Value("q", 0)  # type: ignore[assignment]
        self._process = context.Process(
            target=_work,
            args=(url, waiting, concurrency, self._stop, self._ready, self.completed),
            daemon=True,
        )
        self._process.start()
        self._ready.wait(60)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def stop(self) -> None:
        self._stop.set()
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()


_ids = itertools.count(1)
_sent: dict[int, float] = {}
_answered: dict[int, float] = {}
"""Per instance (its variable `i`): when its create was sent and answered (wall clock, ms)."""


def create_from_threads(client: Client, count: int, threads: int) -> tuple[float, int]:
    """`count` instances created with their result from `threads` threads; (seconds, failed)."""
    share = [count // threads + (1 if t < count % threads else 0) for t in range(threads)]
    failed = [0] * threads
    go = threading.Barrier(threads + 1)

    def loop(t: int) -> None:
        go.wait()
        for _ in range(share[t]):
            i = next(_ids)
            _sent[i] = time.time() * 1000
            try:
                client.create_instance("bench-one-task", {"i": i}, with_result=True)
                _answered[i] = time.time() * 1000
            except Exception:
                failed[t] += 1

    pool = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    go.wait()
    t0 = time.monotonic()
    for thread in pool:
        thread.join()
    return time.monotonic() - t0, sum(failed)


_STAGES = (
    "create sent -> engine takes it",
    "-> engine takes the claim (create committed, job read by the worker, claim sent)",
    "-> engine takes the complete (claim committed and answered, handler, complete sent)",
    "-> client has the completion (complete committed, answer read)",
)


def print_stages(steps: InstanceSteps) -> None:
    """Where the instances' time went, p50 / mean ms per stage (engine timestamps)."""
    spent: list[list[float]] = [[] for _ in _STAGES]
    for i, done in _answered.items():
        if i not in steps.created or i not in steps.claimed or i not in steps.job_completed:
            continue
        times = [_sent[i], steps.created[i], steps.claimed[i], steps.job_completed[i], done]
        for stage in range(len(_STAGES)):
            spent[stage].append(times[stage + 1] - times[stage])
    for name, values in zip(_STAGES, spent, strict=True):
        if values:
            print(f"    {name}: {statistics.median(values):.0f} / {statistics.fmean(values):.0f}")


def backlog(client: Client, count: int) -> None:
    """`count` instances created without waiting for each (their jobs wait for a worker)."""
    transport = client.transport
    assert isinstance(transport, KafkaTransport)
    channel = transport._channel
    round_robin = commands.RoundRobin(transport.partition_count)
    pending = [
        channel.submit(
            commands.create_command("bench-one-task", {"i": i}, None, False), round_robin.next()
        )
        for i in range(count)
    ]
    for request in pending:
        channel.wait(request, _TIMEOUT)


def jobs_per_second(url: str, client: Client, waiting: bool, args: argparse.Namespace) -> float:
    """The Worker's jobs/s on a backlog of `args.backlog` jobs: from its start to the
    engine's acceptance of its last COMPLETE (`Worker.counts`)."""
    backlog(client, args.backlog)
    worker = WorkerProcess(url, waiting, args.concurrency)
    t0 = time.monotonic()
    try:
        deadline = t0 + _TIMEOUT
        while worker.completed.value < args.backlog and time.monotonic() < deadline:
            time.sleep(0.01)
        return args.backlog / (time.monotonic() - t0)
    finally:
        worker.stop()


def _profile(pid: int | None, path: Path, seconds: int) -> subprocess.Popen[bytes] | None:
    """py-spy (beside this Python) recording `pid` for `seconds` into `path` (raw format)."""
    if pid is None:
        return None
    py_spy = str(Path(sys.executable).parent / "py-spy")
    where = ["--pid", str(pid), "--duration", str(seconds), "--output", str(path)]
    return subprocess.Popen(
        [py_spy, "record", *where, "--format", "raw", "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def worker_alone(config: ClientConfig, args: argparse.Namespace, waiting: bool) -> float:
    """The Worker's jobs/s against an engine that keeps up (`AnsweringStub`): a backlog of
    `args.backlog` jobs on topics of their own, no engine."""
    topics = TopicSettings(prefix=f"stub-{uuid.uuid4().hex[:6]}.", partitions=args.partitions)
    ensure_topics(config, [*topics.core_topics(), topics.job_topic("bench")])
    stub = AnsweringStub(config, topics, "bench")
    try:
        stub.publish_jobs(args.backlog, 0)
        worker = WorkerProcess(
            f"kafka://{args.bootstrap}?prefix={topics.prefix}", waiting, args.concurrency
        )
        profiler = None
        if args.profile is not None and not waiting:
            args.profile.mkdir(parents=True, exist_ok=True)
            profiler = _profile(worker.pid, args.profile / "worker-alone.txt", 3)
        t0 = time.monotonic()
        try:
            deadline = t0 + _TIMEOUT
            while worker.completed.value < args.backlog and time.monotonic() < deadline:
                time.sleep(0.01)
            return worker.completed.value / (time.monotonic() - t0)
        finally:
            if profiler is not None:
                profiler.wait()
            worker.stop()
    finally:
        stub.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("-n", type=int, default=3000, help="instances per run")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--concurrency", type=int, default=64, help="Worker max_concurrency")
    parser.add_argument("--backlog", type=int, default=3000, help="jobs for the jobs/s runs")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--phases", default="abd", help="which of (a), (b), (d) to run")
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--profile", type=Path, help="py-spy raw profiles of the first (a) runs")
    parser.add_argument(
        "--trace", type=Path, help="log every hop's timestamps there; print (a)'s breakdown"
    )
    args = parser.parse_args()
    if args.trace is not None:
        _trace_children(args.trace)

    config = client_config(args.bootstrap)
    topics = TopicSettings(prefix=f"readme-{uuid.uuid4().hex[:6]}.", partitions=args.partitions)
    url = f"kafka://{args.bootstrap}?prefix={topics.prefix}"
    engines = EngineProcesses(config, topics, Path(tempfile.mkdtemp()), count=1)
    try:
        engines.wait_until_serving()
        if args.trace is not None:  # the commands' records stamped with the broker's time
            _append_time(config, topics.commands)
        engine_pid = engines.processes[0].pid
        with connect(url) as client:
            client.deploy(ONE_TASK)
            created = 0
            at_start = count_topic(config, topics.events).records
            figures: dict[str, list[float]] = {}
            for run in range(args.runs):
                # Each way goes first in every other run: the first of a pair often pays
                # for what the machine's other users did just before.
                order = (False, True) if run % 2 == 0 else (True, False)
                for waiting in order if "a" in args.phases else ():
                    name = "Worker waiting for answers" if waiting else "Worker"
                    worker = WorkerProcess(url, waiting, args.concurrency)
                    try:
                        create_from_threads(client, 100, args.threads)  # warm-up
                        meter = CpuMeter(
                            {"engine": engine_pid, "Worker": worker.pid, "client": os.getpid()}
                        )
                        meter.start()
                        since = end_offsets(config, topics.events)
                        profilers = []
                        if args.profile is not None and run == 0:
                            args.profile.mkdir(parents=True, exist_ok=True)
                            mode = "waiting" if waiting else "sending"
                            profilers = [
                                _profile(pid, args.profile / f"{who}-{mode}.txt", 4)
                                for who, pid in (("engine", engine_pid), ("worker", worker.pid))
                            ]
                        _sent.clear()
                        _answered.clear()
                        started = time.time() * 1000
                        seconds, failed = create_from_threads(client, args.n, args.threads)
                        created += args.n + 100
                        cpu = meter.per_instance(args.n)
                        for profiler in profilers:
                            if profiler is not None:
                                profiler.wait()
                    finally:
                        worker.stop()
                    rate = args.n / seconds
                    figures.setdefault(f"(a) {name}", []).append(rate)
                    print(
                        f"(a) run {run + 1}, {name}: {args.n} instances from {args.threads}"
                        f" threads in {seconds:.2f}s = {rate:.0f} instances/s"
                        f" ({failed} failed); {cpu}",
                        flush=True,
                    )
                    print("  stages, ms p50 / mean:")
                    print_stages(instance_steps(config, topics.events, since))
                    if args.trace is not None:
                        time.sleep(0.5)  # the engine's and the worker's last lines
                        trace = latency_trace.read(args.trace, started, time.time() * 1000)
                        latency_trace.print_breakdown(trace)
                for waiting in order if "b" in args.phases else ():
                    name = "Worker waiting for answers" if waiting else "Worker"
                    jobs = jobs_per_second(url, client, waiting, args)
                    created += args.backlog + 1
                    figures.setdefault(f"(b) {name}", []).append(jobs)
                    load = os.getloadavg()[0]
                    print(
                        f"(b) run {run + 1}, {name}: {args.backlog} jobs of a backlog"
                        f" = {jobs:.0f} jobs/s; load average {load:.1f}",
                        flush=True,
                    )
                for waiting in order if "d" in args.phases else ():
                    name = "Worker waiting for answers" if waiting else "Worker"
                    jobs = worker_alone(config, args, waiting)
                    figures.setdefault(f"(d) {name}, engine keeping up", []).append(jobs)
                    print(
                        f"(d) run {run + 1}, {name}: {args.backlog} jobs answered at once by"
                        f" a stand-in engine = {jobs:.0f} jobs/s;"
                        f" load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
            for name, values in figures.items():
                unit = "instances/s" if name.startswith("(a)") else "jobs/s"
                print(
                    f"{name}: best {max(values):.0f} {unit} (runs: "
                    f"{', '.join(f'{v:.0f}' for v in values)})"
                )
            if created:
                events = count_topic(config, topics.events)
                per_instance = (events.records - at_start) / created
                size = max(1, events.payload_bytes // max(events.records, 1))
                records = round(per_instance * args.n)
                raw = min(raw_kafka(config, records, size) for _ in range(args.runs))
                print(
                    f"(c) raw kafka: {records} records of {size} bytes produced+consumed in"
                    f" {raw:.2f}s = {records / raw / per_instance:.0f} instances/s of audit"
                    f" log ({per_instance:.1f} records per instance)"
                )
    finally:
        engines.stop()


if __name__ == "__main__":
    main()
