"""End to end, the engine on Kafka: one-task instances created through the client's request
path, their jobs taken and completed by `clients.worker.Worker` in its own process on the same
machine, every instance's completion answered to its create-with-result request.

Prints (a) throughput: N creates sent at once, instances/s until the last completed; (b) p50 /
p99 create→completion latency at a fixed arrival rate (open loop: sent on schedule whatever
completes, latency counted from the scheduled time); (c) where the best latency run's time went:
per instance, create sent → the engine takes the create → takes the claim (JOB_BATCH ACTIVATE)
→ takes the complete → the client has the completion, from the engine's record timestamps in
the audit log (the time it started the batch holding the command; same clock, ms); (d) records
per instance in the audit log and on all of the run's topics; (e) raw Kafka produce+consume of
as many records, same size. Every phase runs `--runs` times; all runs and the best are printed
(the machine is shared).

    python -m benchmarks.engine_kafka_bench --bootstrap HOST:PORT [-n 3000] [--rate 200]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.kafka_bench_support import (
    ONE_TASK,
    InstanceSteps,
    WorkerProcess,
    count_topic,
    end_offsets,
    instance_steps,
    raw_kafka,
)
from broker.kafka_config import client_config
from broker.protocol import Record
from broker.topics import TopicSettings, ensure_topics
from clients import commands
from clients.client import connect
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_requests import RequestChannel

_TIMEOUT = 120.0


class Creator:
    """Sends create-with-result requests; `done[i] - start[i]` is instance i's latency."""

    def __init__(self, channel: RequestChannel, partitions: int) -> None:
        self._channel = channel
        self._round_robin = commands.RoundRobin(partitions)
        self._lock = threading.Lock()
        self._all_done = threading.Condition(self._lock)
        self._unanswered = 0
        self.failed = 0
        self._last_count = 0
        self.first_id = 0
        """The variable `i` of the last run's first instance (instance n has `first_id + n`)."""

    def run(
        self, count: int, rate: float | None, in_flight: int | None = None
    ) -> tuple[list[float], list[float]]:
        """Create `count` instances, all at once (`rate` None), at most `in_flight` unanswered
        at a time, or `rate` per second on schedule; returns (scheduled start, completion)
        times per instance."""
        self.first_id += self._last_count
        self._last_count = count
        starts = [0.0] * count
        done = [float("nan")] * count
        t0 = time.monotonic()
        for i in range(count):
            if in_flight is not None:
                with self._all_done:
                    self._all_done.wait_for(lambda: self._unanswered < in_flight, _TIMEOUT)
            if rate is not None:
                starts[i] = t0 + i / rate
                delay = starts[i] - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            else:
                starts[i] = t0
            variables = {"i": self.first_id + i}
            command = commands.create_command("bench-one-task", variables, None, True)
            with self._all_done:
                self._unanswered += 1
            pending = self._channel.submit(command, self._round_robin.next())
            pending.future.add_done_callback(functools.partial(self._finished, i=i, done=done))
        with self._all_done:
            self._all_done.wait_for(lambda: self._unanswered == 0, _TIMEOUT)
        return starts, done

    def _finished(self, future: Future[Record[Any]], i: int, done: list[float]) -> None:
        now = time.monotonic()
        ok = future.exception() is None and future.result().is_event
        with self._all_done:
            if ok:
                done[i] = now
            else:
                self.failed += 1
            self._unanswered -= 1
            self._all_done.notify_all()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class LatencyRun:
    first_id: int
    starts: list[float]
    """Scheduled create times, wall clock (s)."""
    done: list[float]
    p99: float


_STAGES = (
    "create sent -> engine takes it",
    "-> engine takes the claim (create committed, job read by the worker, claim sent)",
    "-> engine takes the complete (claim committed and answered, handler, complete sent)",
    "-> client has the completion (complete committed, answer read)",
)


def _stages(run: LatencyRun, steps: InstanceSteps) -> list[list[float]]:
    """Per stage, the ms each instance of `run` spent in it (by the engine's timestamps)."""
    spent: list[list[float]] = [[] for _ in _STAGES]
    for n, (start, done) in enumerate(zip(run.starts, run.done, strict=True)):
        i = run.first_id + n
        if done != done or i not in steps.job_completed or i not in steps.claimed:
            continue
        times = [start * 1000, steps.created[i], steps.claimed[i], steps.job_completed[i]]
        times.append(done * 1000)
        for stage in range(len(_STAGES)):
            spent[stage].append(times[stage + 1] - times[stage])
    return spent


def _profile(pid: int | None, path: Path, seconds: float) -> subprocess.Popen[bytes] | None:
    if pid is None:
        return None
    return subprocess.Popen(
        [
            str(Path(__file__).resolve().parents[1] / ".venv/bin/py-spy"),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--output",
            str(path),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("-n", type=int, default=3000, help="instances per throughput run")
    parser.add_argument("--rate", type=float, default=200.0, help="arrivals/s, latency runs")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a latency run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument(
        "--response-partitions",
        type=int,
        default=0,
        help="partitions of the responses topic [default: as many as --partitions]",
    )
    parser.add_argument("--concurrency", type=int, default=256, help="worker handlers")
    parser.add_argument("--profile", type=Path, help="py-spy raw profiles of a throughput run")
    args = parser.parse_args()

    config = client_config(args.bootstrap)
    topics = TopicSettings(
        prefix=f"bench-{uuid.uuid4().hex[:6]}.",
        partitions=args.partitions,
        response_partitions=args.response_partitions,
    )
    if args.response_partitions:  # the engine uses the responses topic as it finds it
        ensure_topics(config, topics.core_topics())
    url = f"kafka://{args.bootstrap}?prefix={topics.prefix}"
    engines = EngineProcesses(config, topics, Path(tempfile.mkdtemp()), count=1)
    worker: WorkerProcess | None = None
    try:
        engines.wait_until_serving()
        print(f"engine pid {engines.processes[0].pid}, log {engines.logs[0]}", flush=True)
        with connect(url) as client:
            client.deploy(ONE_TASK)
        worker = WorkerProcess(url, "bench", args.concurrency)
        channel = RequestChannel(config, topics.commands, topics.responses)
        creator = Creator(channel, args.partitions)
        at_start = count_topic(config, topics.events)
        created = 0
        starts, done = creator.run(200, None)  # warm-up: job topic, worker group, caches
        created += 200

        throughputs = []
        for run in range(args.runs):
            profilers = []
            if args.profile is not None and run == 0:
                args.profile.mkdir(parents=True, exist_ok=True)
                seconds = max(3.0, args.n / 400)
                profilers = [
                    _profile(engines.processes[0].pid, args.profile / "engine.txt", seconds),
                    _profile(worker.pid, args.profile / "worker.txt", seconds),
                ]
            starts, done = creator.run(args.n, None)
            created += args.n
            elapsed = max(done) - starts[0]
            throughputs.append(args.n / elapsed)
            print(
                f"throughput run {run + 1}: {args.n} instances in {elapsed:.2f}s"
                f" = {args.n / elapsed:.0f} instances/s",
                flush=True,
            )
            for profiler in profilers:
                if profiler is not None:
                    profiler.wait()

        latencies = []
        runs: list[LatencyRun] = []
        count = int(args.rate * args.seconds)
        since = end_offsets(config, topics.events)
        wall = time.time() - time.monotonic()
        for run in range(args.runs):
            profilers = []
            if args.profile is not None and run == 0:
                profilers = [
                    _profile(pid, args.profile / f"{name}-latency.txt", args.seconds)
                    for name, pid in (("engine", engines.processes[0].pid), ("worker", worker.pid))
                ]
            starts, done = creator.run(count, args.rate)
            for profiler in profilers:
                if profiler is not None:
                    profiler.wait()
            created += count
            ms = [(d - s) * 1000 for s, d in zip(starts, done, strict=True) if d == d]
            p50, p99 = statistics.median(ms), _percentile(ms, 0.99)
            latencies.append((p99, p50, max(ms)))
            runs.append(
                LatencyRun(
                    creator.first_id, [wall + t for t in starts], [wall + t for t in done], p99
                )
            )
            print(
                f"latency run {run + 1}: {len(ms)} instances at {args.rate:.0f}/s:"
                f" p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(ms):.0f} ms",
                flush=True,
            )
        channel.close()
        answers = count_topic(config, topics.responses).records
        print(
            f"answers to other clients read by the creating client: {channel.others_read}"
            f" of {answers} answers on the responses topic in all"
            f" (its reply partition: {channel.reply_partition} of {topics.reply_partitions})"
        )

        best = min(runs, key=lambda run: run.p99)
        steps = instance_steps(config, topics.events, since)
        print("stages of the best latency run (engine timestamps; ms p50 / p99 / mean):")
        for name, spent in zip(_STAGES, _stages(best, steps), strict=True):
            if spent:
                print(
                    f"  {name}: {statistics.median(spent):.0f} / {_percentile(spent, 0.99):.0f}"
                    f" / {statistics.fmean(spent):.0f}"
                )

        events = count_topic(config, topics.events)
        audit = events.records - at_start.records
        per_instance = audit / created
        all_topics = sum(
            count_topic(config, name).records
            for name in (
                topics.commands,
                topics.events,
                topics.responses,
                topics.job_topic("bench").name,
                topics.prefix + "engine-state",
            )
        )
        one_run = round(per_instance * args.n)
        size = max(1, (events.payload_bytes // max(events.records, 1)))
        raw = min(raw_kafka(config, one_run, size) for _ in range(args.runs))
        p99, p50, worst = min(latencies)
        print(f"instances created: {created}, failed: {creator.failed}")
        print(
            f"best throughput: {max(throughputs):.0f} instances/s"
            f" (runs: {', '.join(f'{t:.0f}' for t in throughputs)})"
        )
        print(
            f"best latency at {args.rate:.0f}/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms,"
            f" max {worst:.0f} ms"
        )
        print(
            f"records per instance: {per_instance:.1f} in the audit log (mean {size} bytes),"
            f" {all_topics / created:.1f} on all topics"
        )
        print(
            f"raw kafka: {one_run} records of {size} bytes produced+consumed in {raw:.2f}s"
            f" = {one_run / raw:.0f} records/s = {one_run / raw / per_instance:.0f}"
            " instances/s of audit log"
        )
    finally:
        if worker is not None:
            worker.stop()
        engines.stop()


if __name__ == "__main__":
    main()
