"""Kafka-native workers with exactly-once side effects (#16): a payment worker SIGKILLed again
and again while 1,000 instances run through it. The Faust worker (clients/faust_jobs.py,
examples/payment_worker.py) writes its `payments.charged` record and the JOB COMPLETE in one
transaction: every job completed once, one record per job for a read_committed reader. The
plain Python Worker (produce, then complete) shows what that closes: its doubles and losses
are counted and printed, not asserted away."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition

from broker.topics import TopicSettings, TopicSpec, ensure_topics
from clients.kafka_offsets import watermarks
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    ROOT,
    Client,
    EngineProcess,
    completed_instances,
    deploy_and_wait,
    events_of,
    read_all,
    wait_until_serving,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]
PARTITIONS = 2
INSTANCES = 1000
KILLS = 8
JOB_TYPE = "payment"


@dataclass
class Outcome:
    kills: int
    seconds: float
    completed_instances: int
    completed_jobs: Counter[int]
    """JOB COMPLETED events per job key."""
    charged: Counter[int]
    """read_committed records of the side-effect topic per job key."""
    written: int
    """Records of the side-effect topic a read_uncommitted reader sees (aborted ones too)."""
    rejected_completes: int

    @property
    def doubled(self) -> int:
        return sum(1 for n in self.charged.values() if n > 1)

    @property
    def lost(self) -> int:
        return len(set(self.completed_jobs) - set(self.charged))

    def summary(self, name: str) -> str:
        return (
            f"{name}: {self.kills} SIGKILLs in {self.seconds:.0f} s, {self.completed_instances}"
            f" instances completed, {len(self.completed_jobs)} jobs completed"
            f" ({sum(self.completed_jobs.values())} COMPLETED events,"
            f" {self.rejected_completes} COMPLETE rejected), {sum(self.charged.values())}"
            f" records for {len(self.charged)} jobs ({self.written} written, aborted ones"
            f" included): {self.doubled} jobs charged twice or more, {self.lost} completed"
            " jobs without a record"
        )


class WorkerProcess:
    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self._argv, self._env = argv, env
        self._log = log.open("ab")
        self.log_path = log
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self._argv,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **self._env},
        )

    def kill_and_restart(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = self._start()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self._log.close()


def _written(watch: Consumer, topic: str) -> int:
    """Offsets written to `topic` so far (records, markers, aborted ones: any sign of work)."""
    return sum(
        watch.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
        for p in range(PARTITIONS)
    )


def read_committed(
    bootstrap: str, topic: str, isolation: str = "read_committed"
) -> list[dict[str, Any]]:
    """Every record a read_committed reader gets from `topic` (JSON values), whether its last
    offset is a record (a plain producer's) or a transaction marker; with `isolation`
    read_uncommitted, the records of aborted transactions too."""
    reader = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex[:8]}",
            "isolation.level": isolation,
            "enable.auto.commit": False,
        }
    )
    records: list[dict[str, Any]] = []
    try:
        for p in range(PARTITIONS):
            low, high = watermarks(reader, topic, p, 30)
            reader.assign([TopicPartition(topic, p, low)])
            idle = 0
            # An open transaction holds a read_committed reader back: give up after a minute
            # (what was not read counts as lost).
            deadline = time.monotonic() + 60
            while idle < 4 and time.monotonic() < deadline:
                message = reader.poll(0.5)
                if message is None:
                    # Past the last record, only markers (or nothing) are left.
                    position = reader.position([TopicPartition(topic, p)])[0].offset
                    idle += 1 if position >= high - 1 else 0
                    continue
                if message.error() is None and message.value() is not None:
                    records.append(json.loads(message.value()))
                if message.offset() >= high - 1:
                    break
    finally:
        reader.close()
    return records


def run_under_kills(
    bootstrap: str,
    prefix: str,
    tmp_path: Path,
    worker_argv: list[str],
    env: dict[str, str],
    kills_wanted: int = KILLS,
) -> Outcome:
    topics = TopicSettings(prefix=prefix, partitions=PARTITIONS)
    charged_topic = prefix + "payments.charged"
    # The job topic too, before the engine starts: its leaders are settled by the first job.
    ensure_topics(
        {"bootstrap.servers": bootstrap},
        [TopicSpec(charged_topic, PARTITIONS, 1, {}), topics.job_topic(JOB_TYPE)],
    )
    engine = EngineProcess(bootstrap, prefix, tmp_path / "engine", PARTITIONS)
    worker: WorkerProcess | None = None
    try:
        wait_until_serving(bootstrap, topics, [engine])
        client = Client(bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process("pay", JOB_TYPE))
        started = time.monotonic()
        worker = WorkerProcess(worker_argv, env, tmp_path / "worker.log")
        # The instances in KILLS + 1 waves, one per life of the worker; each kill comes a
        # moment after that life's first record: it lands while the worker is at work, never
        # while it is still starting (an import of Faust takes seconds on a loaded machine).
        waves = [range(INSTANCES)[k :: kills_wanted + 1] for k in range(kills_wanted + 1)]
        chance = random.Random(16)
        watch = Consumer({"bootstrap.servers": bootstrap, "group.id": "watch"})
        kills = 0
        kill_gaps: list[float] = []
        records: list[dict[str, Any]] = []
        try:
            for wave in waves:
                for i in wave:
                    client.send(commands.create_instance("pay", {"orderId": i, "amount": 10}))
                client.flush()
                if kills == kills_wanted:
                    break
                before = _written(watch, charged_topic)
                life = time.monotonic()
                while _written(watch, charged_topic) == before:
                    assert engine.process.poll() is None, engine.log()[-3000:]
                    assert worker.process.poll() is None, worker.log_path.read_text()[-3000:]
                    assert time.monotonic() - life < 60, "the worker wrote nothing for 60 s"
                    time.sleep(0.05)
                time.sleep(chance.uniform(0.05, 0.4))
                kill_gaps.append(time.monotonic() - life)
                worker.kill_and_restart()
                kills += 1
        finally:
            watch.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert engine.process.poll() is None, engine.log()[-3000:]
            assert worker.process.poll() is None, worker.log_path.read_text()[-3000:]
            records = read_all(bootstrap, topics.events, PARTITIONS)
            if len(completed_instances(records)) >= INSTANCES:
                break
            time.sleep(1.0)
        print(f"lives before each kill (s): {', '.join(f'{g:.1f}' for g in kill_gaps)}")
        seconds = time.monotonic() - started
        worker.stop()
        records = read_all(bootstrap, topics.events, PARTITIONS)
    finally:
        if worker is not None:
            worker.stop()
        engine.stop()
    charged = Counter(r["jobKey"] for r in read_committed(bootstrap, charged_topic))
    return Outcome(
        kills=kills,
        seconds=seconds,
        completed_instances=len(completed_instances(records)),
        completed_jobs=Counter(r["key"] for r in events_of(records, "JOB", "COMPLETED")),
        charged=charged,
        written=len(read_committed(bootstrap, charged_topic, "read_uncommitted")),
        rejected_completes=sum(
            1
            for r in records
            if r["recordType"] == "COMMAND_REJECTION"
            and r["valueType"] == "JOB"
            and r["intent"] == "COMPLETE"
        ),
    )


def test_a_faust_worker_killed_again_and_again_charges_each_job_exactly_once(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    prefix = unique_name + "."
    outcome = run_under_kills(
        kafka_bootstrap,
        prefix,
        tmp_path,
        [
            sys.executable,
            "examples/payment_worker.py",
            f"kafka://{kafka_bootstrap}?prefix={prefix}",
        ],
        {
            "HONEYFLOW_PAYMENT_TYPE": JOB_TYPE,
            "HONEYFLOW_CHARGED_TOPIC": prefix + "payments.charged",
            "HONEYFLOW_WORKER_ID": "faust-payment-1",
            "HONEYFLOW_JOB_TIMEOUT": "3",
        },
    )
    print(outcome.summary("Faust worker"))
    assert outcome.kills == KILLS
    assert outcome.completed_instances == INSTANCES
    assert len(outcome.completed_jobs) == INSTANCES
    assert set(outcome.completed_jobs.values()) == {1}
    # One record per completed job for a read_committed reader: none lost, none doubled.
    assert set(outcome.charged) == set(outcome.completed_jobs)
    assert set(outcome.charged.values()) == {1}


def test_the_plain_worker_under_the_same_kills_shows_what_the_transaction_closes(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    prefix = unique_name + "."
    outcome = run_under_kills(
        kafka_bootstrap,
        prefix,
        tmp_path,
        [
            sys.executable,
            "-m",
            "tests.kafka_runtime.plain_payment_worker",
            f"kafka://{kafka_bootstrap}?prefix={prefix}",
            JOB_TYPE,
            prefix + "payments.charged",
            "plain-payment-1",
        ],
        {},
    )
    print(outcome.summary("plain Worker"))
    # What must hold without a transaction too: every instance completes (a lost COMPLETE
    # times out and the job is done again), and the engine completes each job once.
    assert outcome.completed_instances == INSTANCES
    assert set(outcome.completed_jobs.values()) == {1}
    print(json.dumps({"doubled": outcome.doubled, "lost": outcome.lost}))


async def test_faust_exactly_once_writes_an_agents_record_outside_the_transaction(
    kafka_bootstrap: str, unique_name: str
) -> None:
    """Why clients/faust_jobs.py runs transactions of its own: with Faust's
    processing_guarantee="exactly_once", a record an agent sends to a topic it does not read
    (the job's COMMANDS, a side-effect topic) is written outside any transaction — visible to
    read_committed readers while the offset of the record that caused it is not committed
    (faust/transport/consumer.py, TransactionManager.send: no partition known to the
    consumer, no transactional id). Kill the worker then and the record is written again."""
    import asyncio

    import faust

    source, sink = unique_name + ".in", unique_name + ".out"
    ensure_topics(
        {"bootstrap.servers": kafka_bootstrap},
        [TopicSpec(source, 1, 1, {}), TopicSpec(sink, 1, 1, {})],
    )
    app = faust.App(
        unique_name,
        broker=f"kafka://{kafka_bootstrap}",
        store="memory://",
        web_enabled=False,
        processing_guarantee="exactly_once",
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
    )
    out = app.topic(sink, value_type=bytes, value_serializer="raw")
    never = asyncio.Event()

    @app.agent(app.topic(source, value_type=bytes, value_serializer="raw"))
    async def forward(stream: Any) -> None:
        async for value in stream:
            await out.send(value=value)
            await never.wait()  # dies here, say: the record's offset is never committed

    await app.start()
    try:
        await asyncio.to_thread(_produce, kafka_bootstrap, source, b"charge order 1")
        seen = await asyncio.to_thread(_first_committed_record, kafka_bootstrap, sink, 60)
        offsets = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": unique_name})
        try:
            [committed] = offsets.committed([TopicPartition(source, 0)], timeout=10)
        finally:
            offsets.close()
    finally:
        never.set()
        await app.stop()
    assert seen == b"charge order 1"  # visible to read_committed readers ...
    assert committed.offset < 0  # ... while the offset of its cause is not committed


def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, value)
    producer.flush(30)


def _first_committed_record(bootstrap: str, topic: str, seconds: float) -> bytes | None:
    reader = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
        }
    )
    try:
        reader.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = reader.poll(0.5)
            if message is not None and message.error() is None:
                value: bytes | None = message.value()
                return value
        return None
    finally:
        reader.close()
