"""Scale out, measured: a three-node Kafka cluster of our launcher (replication factor 3,
`min.insync.replicas` 2), one-task instances on 12 partitions, served by 1, 2 and then 3
`honeyflow engine` processes in turn (fresh topics each time), then 3 engines once more with
one engine and one broker SIGKILLed a third of the way through the load.

The load generator keeps `--in-flight` create-with-result requests outstanding (closed loop,
round robin over the partitions) for `--seconds`; `clients.worker.Worker` processes complete
the jobs. Printed per run: instances/s over the run after its first fifth, CPU ms per instance
of the engines, the brokers, the workers and the load generator, the engines' resident memory
and idle CPU per partition, and how busy the machine was. After each run the whole audit log
is read from the start and checked (benchmarks/scale_audit.py): every instance sent exists
once, completed once, and its one job completed once. The exit status says whether every run
was exactly once; timings are printed, never asserted.

    python -m benchmarks.scale_bench [--seconds 60] [--engines 1,2,3] [--partitions 12]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient

from benchmarks.kafka_bench_support import ONE_TASK, WorkerProcess
from benchmarks.scale_audit import AuditCheck, check_exactly_once, read_audit_log
from broker.kafka_cluster import LocalCluster
from broker.kafka_config import ClientConfig, client_config
from broker.protocol import Record
from broker.topics import TopicSettings, ensure_topics
from clients import commands
from clients.client import connect
from clients.errors import RequestTimeoutError
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_requests import RequestChannel

_SETTLE_SECONDS = 300.0
"""How long engines may take to serve, a deployment to reach every partition and the warm-up
to be answered (minutes on a machine shared with other loads)."""
_IDLE_SECONDS = 5.0
"""How long each run measures what its processes cost idle, before the load."""
_DRAIN_SECONDS = 240.0
"""How long the instances still in flight at the end of a run may take (a run with kills
waits out the session timeout and leader elections)."""


# -- what the processes cost (Linux /proc; elsewhere it measures nothing) ------------------


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process `pid` (all its threads); 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int | None) -> float:
    """Resident set size of process `pid` in MB; 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0, 0.0
    hz = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


class CpuWindow:
    """CPU seconds of groups of processes (and of the machine) between `start` and `stop`."""

    def __init__(self, groups: dict[str, list[int | None]]) -> None:
        self.groups = groups
        self._last: dict[int, float] = {}
        """The last CPU seconds seen per pid: what a process killed meanwhile had used."""
        self._start: dict[str, float] = {}
        self.used: dict[str, float] = {}
        self._machine = (0.0, 0.0)
        self.machine_cores = 0.0
        """Cores busy on average over the window, whoever used them."""

    def sample(self) -> dict[str, float]:
        """CPU seconds per group now; call it just before killing one of the processes."""
        for pids in self.groups.values():
            for pid in pids:
                if pid is not None and (used := cpu_seconds(pid)) > 0:
                    self._last[pid] = used
        return {
            name: sum(self._last.get(p, 0.0) for p in pids if p is not None)
            for name, pids in self.groups.items()
        }

    def start(self) -> None:
        self._start = self.sample()
        self._machine = machine_busy_seconds()

    def stop(self) -> None:
        now = self.sample()
        self.used = {name: now[name] - self._start.get(name, 0.0) for name in now}
        busy, total = machine_busy_seconds()
        cores = os.cpu_count() or 1
        elapsed = (total - self._machine[1]) / cores
        self.machine_cores = (busy - self._machine[0]) / elapsed if elapsed > 0 else 0.0


# -- load ----------------------------------------------------------------------------------


class Load:
    """Creates one-task instances with their result, variable `i` = 0, 1, …, keeping at most
    `in_flight` unanswered; remembers when each answer came and which failed."""

    def __init__(self, channel: RequestChannel, partitions: int) -> None:
        self._channel = channel
        self._round_robin = commands.RoundRobin(partitions)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.sent = 0
        self._unanswered = 0
        self.answered: list[float] = []
        """Monotonic times of the successful answers."""
        self.failures: list[str] = []

    def _send(self) -> None:
        command = commands.create_command("bench-one-task", {"i": self.sent}, None, True)
        with self._lock:
            self._unanswered += 1
        pending = self._channel.submit(command, self._round_robin.next())
        pending.future.add_done_callback(functools.partial(self._answer, i=self.sent))
        self.sent += 1

    def _answer(self, future: Future[Record[Any]], i: int) -> None:
        now = time.monotonic()
        error = future.exception()
        with self._lock:
            if error is None and future.result().is_event:
                self.answered.append(now)
            else:
                record = None if error is not None else future.result()
                reason = str(error) if record is None else record.rejection_reason
                self.failures.append(f"instance {i}: {reason}")
            self._unanswered -= 1
            self._changed.notify_all()

    def burst(self, count: int) -> None:
        """Send `count` at once."""
        for _ in range(count):
            self._send()

    def run(
        self, seconds: float, in_flight: int, at: list[tuple[float, Callable[[], None]]]
    ) -> float:
        """Keep `in_flight` requests outstanding for `seconds`; call each of `at` (seconds
        after the start, action) when its time comes. Returns the start (monotonic)."""
        start = time.monotonic()
        due = sorted(at, key=lambda pair: pair[0])
        while (now := time.monotonic()) < start + seconds:
            while due and now >= start + due[0][0]:
                due.pop(0)[1]()
            with self._changed:
                if self._unanswered >= in_flight:
                    self._changed.wait(0.05)
                    continue
            self._send()
        for _, action in due:
            action()
        return start

    def drain(self, timeout: float) -> bool:
        """Wait until every request is answered (or failed); False when `timeout` ran out."""
        with self._changed:
            return self._changed.wait_for(lambda: self._unanswered == 0, timeout)


# -- one run -------------------------------------------------------------------------------


@dataclass
class RunResult:
    engines: int
    per_second: float
    cpu_ms: dict[str, float]
    """CPU ms per instance by process group, all of it."""
    busy_cpu_ms: dict[str, float]
    """CPU ms per instance by process group, beyond what the group uses idle."""
    engine_mb: float
    """Mean resident memory of an engine process at the end of the load."""
    idle_engine_mb: float
    """The same before the load, its partitions owned."""
    idle_cpu_percent: float
    """CPU % of all engines together while idle, per partition."""
    machine_cores: float
    audit: AuditCheck
    markers: int
    """Transaction markers in the audit log (one per partition per engine transaction that
    wrote to it; aborted transactions' records count here too)."""
    failures: list[str]
    pause: float | None = None
    """With kills: the longest time without any answer from the kills on (seconds)."""


def _deployed_everywhere(config: ClientConfig, topics: TopicSettings, seconds: float) -> None:
    """Until every partition's audit log holds the deployment (creates on a partition it has
    not reached yet are rejected)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        partitions = {
            int(value.split(b'"partitionId":', 1)[1].split(b",", 1)[0])
            for value in read_audit_log(config, topics.events).values
            if b'"valueType":"DEPLOYMENT"' in value and b'"intent":"CREATED"' in value
        }
        if len(partitions) == topics.partitions:
            return
        time.sleep(0.5)
    raise SystemExit("the deployment did not reach every partition")


def leader_of(config: ClientConfig, topic: str, partition: int) -> int:
    metadata = AdminClient(dict(config)).list_topics(topic, timeout=30)
    return int(metadata.topics[topic].partitions[partition].leader)


def run(
    cluster: LocalCluster,
    config: ClientConfig,
    directory: Path,
    engine_count: int,
    args: argparse.Namespace,
    *,
    kills: bool = False,
) -> RunResult:
    spec = cluster.spec()
    assert spec is not None
    topics = TopicSettings(
        prefix=f"scale{engine_count}{'k' if kills else ''}-{uuid.uuid4().hex[:6]}.",
        partitions=args.partitions,
        replication_factor=3,
    )
    ensure_topics(config, topics.core_topics())
    url = f"kafka://{spec.bootstrap}?prefix={topics.prefix}"
    name = f"{engine_count} engine{'s' if engine_count > 1 else ''}"
    print(f"== {name}, {args.partitions} partitions{', kills' if kills else ''}", flush=True)
    engines = EngineProcesses(
        config, topics, directory / topics.prefix, count=engine_count, verbose=True
    )
    workers: list[WorkerProcess] = []
    channel: RequestChannel | None = None
    try:
        engines.wait_until_serving(_SETTLE_SECONDS)
        # Not distributed to every partition within the client's 30 s on a loaded machine:
        # the distribution goes on, and is waited for below.
        with connect(url) as client, contextlib.suppress(RequestTimeoutError):
            client.deploy(ONE_TASK)
        _deployed_everywhere(config, topics, _SETTLE_SECONDS)
        workers = [WorkerProcess(url, "bench", args.concurrency) for _ in range(args.workers)]
        channel = RequestChannel(config, topics.commands, topics.responses)
        load = Load(channel, args.partitions)
        # Warm up (job topic, worker group, caches) and wait for the workers to take jobs.
        load.burst(args.partitions * 10)
        if not load.drain(_SETTLE_SECONDS):
            raise SystemExit(f"warm-up: not all answered within {_SETTLE_SECONDS:.0f} s")

        engine_pids: list[int | None] = [p.pid for p in engines.processes]
        groups: dict[str, list[int | None]] = {
            "engines": engine_pids,
            "brokers": [cluster.pid(node.node_id) for node in spec.nodes],
            "workers": [worker.pid for worker in workers],
            "load": [os.getpid()],
        }
        # What every process costs doing nothing (polling, heartbeats, the brokers' own
        # housekeeping), subtracted from the load's CPU below.
        idle = CpuWindow(groups)
        idle.start()
        time.sleep(_IDLE_SECONDS)
        idle.stop()
        idle_mb = sum(resident_mb(pid) for pid in engine_pids) / engine_count
        window = CpuWindow(groups)
        measured_from = args.seconds / 5
        actions: list[tuple[float, Callable[[], None]]] = [(measured_from, window.start)]
        killed_at: list[float] = []
        if kills:

            def kill() -> None:
                victim = leader_of(config, topics.commands, 0)
                window.sample()
                killed_at.append(time.monotonic())
                engines.processes[0].kill()
                cluster.stop_node(victim, kill=True)
                print(
                    f"   SIGKILLed engine 1 (pid {engine_pids[0]}) and broker {victim}"
                    f" (leader of {topics.commands} partition 0) at"
                    f" {args.seconds / 3:.0f} s, {load.sent} instances sent",
                    flush=True,
                )

            actions.append((args.seconds / 3, kill))
        memory: list[float] = []

        def stop_window() -> None:
            window.stop()
            memory.extend(resident_mb(pid) for pid in engine_pids if pid is not None)

        start = load.run(args.seconds, args.in_flight, actions)
        stop_window()
        end = time.monotonic()
        idle_share = (end - start - measured_from) / _IDLE_SECONDS
        counted = sum(1 for t in load.answered if t >= start + measured_from)
        per_second = counted / (end - start - measured_from)
        if not load.drain(_DRAIN_SECONDS):
            load.failures.append(f"not all answered within {_DRAIN_SECONDS:.0f} s")
        instances = max(counted, 1)
        log = read_audit_log(config, topics.events)
        pause = None
        if killed_at:
            after = sorted(t for t in load.answered if t >= killed_at[0])
            gaps = [b - a for a, b in zip([killed_at[0], *after], after, strict=False)]
            if load.drain(0):
                pause = max(gaps, default=float("nan"))
            else:  # some never answered: the last stretch has no end
                pause = time.monotonic() - max([killed_at[0], *after])
        result = RunResult(
            engines=engine_count,
            per_second=per_second,
            cpu_ms={k: 1000 * v / instances for k, v in window.used.items()},
            busy_cpu_ms={
                k: 1000 * max(0.0, v - idle_share * idle.used[k]) / instances
                for k, v in window.used.items()
            },
            engine_mb=sum(m for m in memory if m > 0) / max(1, sum(1 for m in memory if m > 0)),
            idle_engine_mb=idle_mb,
            idle_cpu_percent=100 * idle.used["engines"] / _IDLE_SECONDS / args.partitions,
            machine_cores=window.machine_cores,
            audit=check_exactly_once(log.values, load.sent),
            markers=log.markers,
            failures=load.failures,
            pause=pause,
        )
        _report(result, args.partitions, load.sent)
        return result
    finally:
        if channel is not None:
            channel.close()
        for worker in workers:
            worker.stop()
        engines.stop()


def _report(result: RunResult, partitions: int, sent: int) -> None:
    cpu = ", ".join(
        f"{name} {ms:.2f} ({result.busy_cpu_ms[name]:.2f})" for name, ms in result.cpu_ms.items()
    )
    if result.pause is not None:
        print(
            f"   {result.per_second:.0f} instances/s over the run ({sent} sent); no answer for"
            f" {result.pause:.1f} s after the kills at most; load average"
            f" {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    else:
        _report_costs(result, partitions, sent, cpu)
    print(f"   {result.audit.summary()}", flush=True)
    records = result.audit.records
    print(
        f"   engine transactions that wrote to the audit log: {result.markers}"
        f" ({result.markers / max(sent, 1):.2f} per instance,"
        f" {records / max(result.markers, 1):.1f} records each)",
        flush=True,
    )
    for failure in result.failures[:5]:
        print(f"   failed: {failure}", flush=True)
    if len(result.failures) > 5:
        print(f"   ... {len(result.failures) - 5} more failures", flush=True)


def _report_costs(result: RunResult, partitions: int, sent: int, cpu: str) -> None:
    print(
        f"   {result.per_second:.0f} instances/s ({sent} sent);"
        f" CPU ms per instance, all (beyond idle): {cpu};"
        f" machine busy {result.machine_cores:.2f} of {os.cpu_count()} cores,"
        f" load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    print(
        f"   engine process: {partitions // result.engines} partitions,"
        f" {result.idle_engine_mb:.0f} MB idle, {result.engine_mb:.0f} MB under load;"
        f" idle CPU {result.idle_cpu_percent:.2f} % of a core per partition",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load per run")
    parser.add_argument("--engines", default="1,2,3", help="engine counts of the curve")
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--in-flight", type=int, default=1000, help="unanswered creates")
    parser.add_argument("--workers", type=int, default=1, help="Worker processes")
    parser.add_argument("--concurrency", type=int, default=256, help="handlers per Worker")
    parser.add_argument("--no-kills", action="store_true", help="skip the run with kills")
    parser.add_argument("--only-kills", action="store_true", help="only the run with kills")
    args = parser.parse_args()
    counts = [int(n) for n in args.engines.split(",") if n]

    directory = Path(tempfile.mkdtemp(prefix="honeyflow-bench-scale-"))
    cluster = LocalCluster(directory / "kafka")
    results: list[RunResult] = []
    runs = (0 if args.only_kills else len(counts)) + (0 if args.no_kills else 1)
    began = time.monotonic()
    try:
        spec = cluster.up(3, base_port=0)
        config = client_config(spec.bootstrap)
        print(
            f"3 Kafka nodes at {spec.bootstrap} ({directory}); {os.cpu_count()} cores,"
            f" load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        for count in [] if args.only_kills else counts:
            results.append(run(cluster, config, directory, count, args))
        if not args.no_kills:
            results.append(run(cluster, config, directory, max(counts), args, kills=True))
    finally:
        cluster.down()
        for node in cluster.spec().nodes if cluster.spec() else ():
            cluster.stop_node(node.node_id, kill=True)
        if all(r.audit.ok and not r.failures for r in results) and len(results) == runs:
            shutil.rmtree(directory, ignore_errors=True)
        else:  # the engines' logs and the brokers' say what happened
            print(f"kept {directory} (engine-N.log per run, kafka/node-N/logs)", flush=True)

    print(f"== the curve ({args.partitions} partitions, 3 brokers, {os.cpu_count()} cores):")
    labels = [] if args.only_kills else [str(c) for c in counts]
    for result, label in zip(results, [*labels, f"{max(counts)}, kills"], strict=False):
        if result.pause is None:
            engine_ms = result.busy_cpu_ms.get("engines", 0.0)
            cost = (
                f" (engines {engine_ms:.2f} CPU ms per instance beyond idle:"
                f" {1000 / engine_ms:.0f} instances/s per engine core)"
                if engine_ms > 0
                else ""
            )
        else:
            cost = f" (no answer for {result.pause:.1f} s after the kills)"
        print(
            f"   engines {label}: {result.per_second:.0f} instances/s{cost},"
            f" {'exactly once' if result.audit.ok else 'NOT exactly once'},"
            f" {len(result.failures)} failed requests"
        )
    print(f"   ({time.monotonic() - began:.0f} s in all)")
    failed = [r for r in results if not r.audit.ok or r.failures]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
