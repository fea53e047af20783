"""The one-task process through `honeyflow gateway` with pyzeebe 4.7.0 (an asyncio client
and a ZeebeWorker in this process), against one engine on Kafka.

Prints (a) throughput: N run_process_with_result calls, at most --in-flight at once,
instances/s until the last completed, with the CPU each process used per instance and the
load average (the machine may be shared); (b) p50 / p99 create->completion latency at a fixed
arrival rate (open loop: sent on schedule whatever completes, latency counted from the
scheduled time). Then the same two runs through Honeyflow's own Kafka client (create with
result on the commands topic) and its `Worker` in a process of its own, on the same engine, and
both side by side.

    python -m benchmarks.gateway_bench --bootstrap HOST:PORT [-n 2000] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel

from benchmarks.engine_kafka_bench import Creator
from benchmarks.kafka_bench_support import ONE_TASK, CpuMeter, WorkerProcess
from broker.kafka_config import client_config
from broker.topics import TopicSettings
from clients.kafka_engine_processes import EngineProcesses
from clients.kafka_requests import RequestChannel


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_gateway(bootstrap: str, prefix: str, log: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "clients.cli.main", "gateway", "--address", bootstrap),
            *("--prefix", prefix, "--port", "0"),
        ],
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("gateway listening on "):
        raise SystemExit(f"the gateway did not start: {line}{log.read_text()}")
    return process, line.split()[-1]


@dataclass(frozen=True)
class Figures:
    throughput: float
    p50: float
    p99: float

    def row(self, name: str) -> str:
        return f"{name:<28} {self.throughput:>12.0f} {self.p50:>8.0f} {self.p99:>8.0f}"


async def bench(
    address: str, n: int, in_flight: int, rate: float, seconds: float, meter: CpuMeter
) -> Figures:
    async with create_insecure_channel(grpc_address=address) as channel:
        client = ZeebeClient(channel)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "bench.bpmn"
            path.write_bytes(ONE_TASK)
            await client.deploy_resource(path)
        worker = ZeebeWorker(channel, request_timeout=1_000)

        @worker.task(task_type="bench", max_jobs_to_activate=64, max_running_jobs=256)
        async def work() -> dict[str, object]:
            return {}

        working = asyncio.create_task(worker.work())
        try:
            await client.run_process_with_result("bench-one-task", timeout=60_000)  # warm-up
            gate = asyncio.Semaphore(in_flight)

            async def one() -> None:
                async with gate:
                    await client.run_process_with_result("bench-one-task", timeout=120_000)

            meter.start()
            started = time.monotonic()
            await asyncio.gather(*(one() for _ in range(n)))
            elapsed = time.monotonic() - started
            print(
                f"(a) throughput: {n} instances, {in_flight} in flight:"
                f" {n / elapsed:.0f} instances/s ({elapsed:.1f} s); {meter.per_instance(n)}",
                flush=True,
            )

            latencies: list[float] = []

            async def timed(at: float) -> None:
                await client.run_process_with_result("bench-one-task", timeout=120_000)
                latencies.append(time.monotonic() - at)

            tasks = []
            start = time.monotonic()
            for i in range(round(rate * seconds)):
                at = start + i / rate
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                tasks.append(asyncio.create_task(timed(at)))
            await asyncio.gather(*tasks)
            ms = [1000 * s for s in latencies]
            print(
                f"(b) latency at {rate:g}/s for {seconds:g} s ({len(ms)} instances):"
                f" p50 {_percentile(ms, 0.5):.0f} ms, p99 {_percentile(ms, 0.99):.0f} ms,"
                f" mean {statistics.mean(ms):.0f} ms",
                flush=True,
            )
            return Figures(n / elapsed, _percentile(ms, 0.5), _percentile(ms, 0.99))
        finally:
            await worker.stop()
            working.cancel()


def native(url: str, topics: TopicSettings, args: argparse.Namespace, engine_pid: int) -> Figures:
    """The same runs through our Kafka client and a `Worker` process (as `make bench-kafka`)."""
    config = client_config(args.bootstrap)
    worker = WorkerProcess(url, "bench", 256)
    channel = RequestChannel(config, topics.commands, topics.responses)
    try:
        creator = Creator(channel, args.partitions)
        creator.run(200, None)  # warm-up: the worker joins the job topic's group
        meter = CpuMeter(
            {"engine": engine_pid, "Worker": worker.pid, "creating client": os.getpid()}
        )
        meter.start()
        starts, done = creator.run(args.n, None, args.in_flight)
        elapsed = max(done) - starts[0]
        print(
            f"(a) native: {args.n} instances, {args.in_flight} in flight:"
            f" {args.n / elapsed:.0f} instances/s ({elapsed:.1f} s); {meter.per_instance(args.n)}",
            flush=True,
        )
        starts, done = creator.run(round(args.rate * args.seconds), args.rate)
        ms = [(d - s) * 1000 for s, d in zip(starts, done, strict=True) if d == d]
        print(
            f"(b) native: latency at {args.rate:g}/s for {args.seconds:g} s ({len(ms)} instances):"
            f" p50 {_percentile(ms, 0.5):.0f} ms, p99 {_percentile(ms, 0.99):.0f} ms",
            flush=True,
        )
        if creator.failed:
            raise SystemExit(f"{creator.failed} native creates failed")
        return Figures(args.n / elapsed, _percentile(ms, 0.5), _percentile(ms, 0.99))
    finally:
        channel.close()
        worker.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("-n", type=int, default=2000, help="instances of the throughput run")
    parser.add_argument("--in-flight", type=int, default=200)
    parser.add_argument("--rate", type=float, default=200.0, help="arrivals/s, latency run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    parser.add_argument("--partitions", type=int, default=2)
    args = parser.parse_args()

    config = client_config(args.bootstrap)
    topics = TopicSettings(prefix=f"bench-gw-{uuid.uuid4().hex[:6]}.", partitions=args.partitions)
    directory = Path(tempfile.mkdtemp())
    engines = EngineProcesses(config, topics, directory, count=1)
    gateway: subprocess.Popen[str] | None = None
    try:
        engines.wait_until_serving()
        gateway, address = start_gateway(args.bootstrap, topics.prefix, directory / "gateway.log")
        print(f"engine log {engines.logs[0]}, gateway on {address}", flush=True)
        engine_pid = engines.processes[0].pid
        meter = CpuMeter(
            {"engine": engine_pid, "gateway": gateway.pid, "pyzeebe client+worker": os.getpid()}
        )
        through_gateway = asyncio.run(
            bench(address, args.n, args.in_flight, args.rate, args.seconds, meter)
        )
        # The gateway leaves the job type's consumer group, which the native worker joins.
        gateway.terminate()
        gateway.wait(20)
        gateway = None
        url = f"kafka://{args.bootstrap}?prefix={topics.prefix}"
        direct = native(url, topics, args, engine_pid)
        print(f"{'':<28} {'instances/s':>12} {'p50 ms':>8} {'p99 ms':>8}  (at {args.rate:g}/s)")
        print(through_gateway.row("gateway + pyzeebe"))
        print(direct.row("Kafka client + Worker"))
    finally:
        if gateway is not None:
            gateway.terminate()
            gateway.wait(20)
        engines.stop()


if __name__ == "__main__":
    main()
