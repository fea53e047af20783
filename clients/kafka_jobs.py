"""Jobs from `<p>jobs.<type>`: a consumer in group `<p>workers.<type>` reads the job records the
processors publish, and claims the jobs read from one partition with one `JOB_BATCH ACTIVATE
{jobKeys: [key, ...], maxJobsToActivate: len(jobKeys)}` on that partition (docs/jobs-on-kafka.md).
Only what the engine answers as ACTIVATED is worked on: a record may be stale (the job was
completed, cancelled or taken by another worker since it was published).

A poll reads everything committed to the topic before it started (up to the end offsets of the
assigned partitions), so a job created before the call is seen by the call. The end offsets are
asked through a second consumer that never fetches: a broker answers one connection's requests
in order, so on the reading consumer's connection they would wait behind its parked fetch
(`fetch.wait.max.ms`). Offsets are committed only past records whose claim was answered; an
unanswered claim is read again.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Final

from confluent_kafka import Consumer, Message, TopicPartition

from broker.kafka_config import ClientConfig
from broker.protocol import Record, RecordFormatError, decode_partition, decode_record
from broker.protocol.intents import JobBatchIntent
from broker.protocol.values import JobBatchRecordValue
from clients.errors import RequestTimeoutError
from clients.kafka_offsets import ReadProgress, watermarks
from clients.kafka_requests import PendingRequest, RequestChannel

_POLL_SECONDS: Final = 0.05


def workers_group(prefix: str, job_type: str) -> str:
    return f"{prefix}workers.{job_type}"


class JobFeed:
    """The jobs of one type for one client. Not thread-safe: one activation at a time."""

    def __init__(
        self, config: ClientConfig, topic: str, group: str, channel: RequestChannel
    ) -> None:
        self.topic = topic
        self._channel = channel
        self._assigned: set[int] = set()
        self._progress = ReadProgress()
        self._assignment_known = threading.Event()
        self._consumer = Consumer(
            {
                **config,
                "group.id": group,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "enable.partition.eof": True,
                # A read is over at the end-of-partition event, which comes with the first
                # fetch answer past the last transaction marker: don't park that fetch long.
                "fetch.wait.max.ms": 10,
            }
        )
        self._consumer.subscribe(
            [topic], on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_revoke
        )
        self._offsets = Consumer(
            {**config, "group.id": f"{group}.offsets", "isolation.level": "read_committed"}
        )

    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._assigned.update(p.partition for p in partitions)
        self._assignment_known.set()

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._assigned.difference_update(p.partition for p in partitions)
        self._progress.forget([p.partition for p in partitions])

    def activate(
        self,
        *,
        job_type: str,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
    ) -> list[Record[Any]]:
        """The JOB_BATCH ACTIVATED answers of the claims that got one (empty ones included).
        Reads until caught up with the topic or `max_jobs` records; with `wait`, waits that
        long for a first job when there is none."""
        messages = self._read(max_jobs, request_timeout, wait)
        # Per partition id: the job keys read, and per Kafka partition the first offset read.
        keys: dict[int, list[int]] = {}
        first: dict[int, dict[int, int]] = {}
        for message in messages:
            key = _job_key(message)
            if key is None:
                continue  # not a job record: nothing to claim, skip it
            partition_id = decode_partition(key)
            if key not in keys.setdefault(partition_id, []):
                keys[partition_id].append(key)
            offsets = first.setdefault(partition_id, {})
            kafka_partition, offset = message.partition() or 0, message.offset() or 0
            offsets[kafka_partition] = min(offsets.get(kafka_partition, offset), offset)
        claims = [
            (partition_id, self._claim(partition_id, job_keys, job_type, worker, timeout_ms))
            for partition_id, job_keys in keys.items()
        ]
        answers: list[Record[Any]] = []
        unanswered: dict[int, int] = {}
        deadline = time.monotonic() + request_timeout
        first_timeout: RequestTimeoutError | None = None
        for partition_id, claim in claims:
            try:
                answers.append(self._channel.wait(claim, max(0.0, deadline - time.monotonic())))
            except RequestTimeoutError as error:
                for kafka_partition, offset in first[partition_id].items():
                    previous = unanswered.get(kafka_partition, offset)
                    unanswered[kafka_partition] = min(previous, offset)
                first_timeout = first_timeout or error
        self._commit(messages, unanswered)
        if first_timeout is not None and not any(a.value.job_keys for a in answers):
            raise first_timeout
        return answers

    def _read(self, max_jobs: int, request_timeout: float, wait: float) -> list[Message]:
        if not self._assignment_known.wait(0) and not self._await_assignment(request_timeout):
            return []
        ends = self._end_offsets(request_timeout)
        messages: list[Message] = []
        give_up = time.monotonic() + max(wait, 0.0)
        stop = time.monotonic() + request_timeout
        while len(messages) < max_jobs and time.monotonic() < stop:
            # What is there already; else wait for the next message or event (`consume` with
            # a timeout would wait it out unless it filled the batch).
            polled = self._consumer.consume(max_jobs - len(messages), 0)
            if not polled:
                polled = [m for m in [self._consumer.poll(_POLL_SECONDS)] if m is not None]
            messages.extend(message for message in polled if self._progress.saw(message))
            if self._caught_up(ends) and (messages or time.monotonic() >= give_up):
                break
        return messages

    def _await_assignment(self, timeout: float) -> bool:
        # The group join happens inside poll(); nothing is consumed before the assignment.
        stop = time.monotonic() + timeout
        while not self._assignment_known.is_set() and time.monotonic() < stop:
            message = self._consumer.poll(_POLL_SECONDS)
            if message is not None and self._progress.saw(message):
                # Records arrive only after on_assign; rewind to be safe rather than drop a job.
                partition, offset = message.partition() or 0, message.offset() or 0
                self._consumer.seek(TopicPartition(self.topic, partition, offset))
                self._progress.rewind(partition, offset)
        return self._assignment_known.is_set()

    def _end_offsets(self, timeout: float) -> dict[int, int]:
        ends = {}
        for partition in sorted(self._assigned):
            ends[partition] = watermarks(self._offsets, self.topic, partition, timeout)[1]
        return ends

    def _caught_up(self, ends: dict[int, int]) -> bool:
        # A partition revoked meanwhile is someone else's to read now.
        return self._progress.reached({p: e for p, e in ends.items() if p in self._assigned})

    def _claim(
        self, partition_id: int, job_keys: list[int], job_type: str, worker: str, timeout_ms: int
    ) -> PendingRequest:
        command = Record.command(
            JobBatchIntent.ACTIVATE,
            JobBatchRecordValue(
                type=job_type,
                worker=worker,
                timeout=timeout_ms,
                max_jobs_to_activate=len(job_keys),
                job_keys=tuple(job_keys),
            ),
        )
        return self._channel.submit(command, partition_id)

    def _commit(self, messages: list[Message], unanswered: dict[int, int]) -> None:
        next_offsets: dict[int, int] = {}
        for message in messages:
            partition, offset = message.partition() or 0, message.offset() or 0
            next_offsets[partition] = max(next_offsets.get(partition, 0), offset + 1)
        for partition, offset in unanswered.items():
            # Read the unanswered claim's job again next time; commit only what came before.
            next_offsets[partition] = offset
            self._consumer.seek(TopicPartition(self.topic, partition, offset))
            self._progress.rewind(partition, offset)
        if next_offsets:
            self._consumer.commit(
                offsets=[TopicPartition(self.topic, p, o) for p, o in next_offsets.items()],
                asynchronous=False,
            )

    def close(self) -> None:
        self._consumer.close()
        self._offsets.close()


def _job_key(message: Message) -> int | None:
    """The job key of a job record: its Kafka key (decimal ASCII, docs/wire-protocol.md),
    read from the record itself only when the Kafka key is missing."""
    try:
        raw = message.key()
        key = int(raw) if raw else decode_record(message.value() or b"").key
        decode_partition(key)
    except (RecordFormatError, ValueError):
        return None
    return key
