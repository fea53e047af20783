"""An engine that keeps up, for measuring a `Worker` alone: it publishes `count` jobs of one
type to their job topic, then answers every claim (JOB_BATCH ACTIVATE: the jobs named, all
activated) and every COMPLETE (COMPLETED) at once on the request's reply partition, with no
state beyond the jobs it published and no transactions. What the worker then does per second
is its own limit (and the machine's), not the engine's."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from broker.kafka_config import ClientConfig
from broker.protocol import Record, decode_record, encode_key, encode_record
from broker.protocol.intents import JobBatchIntent, JobIntent
from broker.protocol.values import JobRecordValue
from broker.topics import TopicSettings


class AnsweringStub:
    def __init__(self, config: ClientConfig, topics: TopicSettings, job_type: str) -> None:
        self._topics = topics
        self._job_type = job_type
        self._jobs: dict[int, JobRecordValue] = {}
        self._stop = threading.Event()
        self._consumer = Consumer(
            {**config, "group.id": f"stub-{uuid.uuid4().hex[:8]}", "fetch.wait.max.ms": 5}
        )
        self._consumer.assign(
            [TopicPartition(topics.commands, p, -1) for p in range(topics.partitions)]
        )
        self._producer = Producer({**config, "linger.ms": 1})
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def publish_jobs(self, count: int, first: int) -> None:
        for n in range(first, first + count):
            partition_id = 1 + n % self._topics.partitions
            key = encode_key(partition_id, 10_000_000 + n)
            job = JobRecordValue(type=self._job_type, retries=3, element_id="task")
            self._jobs[key] = job
            record = Record.event(
                JobIntent.CREATED, job, key=key, partition_id=partition_id, timestamp=_now()
            )
            self._producer.produce(
                self._topics.job_topic(self._job_type).name,
                encode_record(record),
                str(key).encode(),
                partition=partition_id - 1,
            )
            self._producer.poll(0)
        self._producer.flush(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            # Wait for a first command, then take what else is there (`consume` with a
            # timeout would wait it out unless it filled the batch).
            first = self._consumer.poll(0.05)
            messages = [] if first is None else [first, *self._consumer.consume(500, 0)]
            for message in messages:
                if message.error() is None:
                    self._answer(message)
            self._producer.poll(0)

    def _answer(self, message: Any) -> None:
        partition_id = (message.partition() or 0) + 1
        command = decode_record(message.value() or b"")
        headers = [(k, v) for k, v in message.headers() or [] if isinstance(v, bytes)]
        if command.intent is JobBatchIntent.ACTIVATE:
            value = command.value
            jobs = tuple(
                dataclasses.replace(self._jobs[k], worker=value.worker)
                for k in value.job_keys
                if k in self._jobs
            )
            value = dataclasses.replace(value, jobs=jobs)
            answer = Record.event(
                JobBatchIntent.ACTIVATED,
                value,
                key=command.key,
                partition_id=partition_id,
                timestamp=_now(),
            )
        elif command.intent is JobIntent.COMPLETE:
            answer = Record.event(
                JobIntent.COMPLETED,
                command.value,
                key=command.key,
                partition_id=partition_id,
                timestamp=_now(),
            )
        else:
            return
        reply = dict(headers).get("honeyflow-reply-partition", b"0")
        self._producer.produce(
            self._topics.responses,
            encode_record(answer),
            partition=int(reply),
            headers=headers,
        )

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._producer.flush(10)
        self._consumer.close()


def _now() -> int:
    return int(time.time() * 1000)
