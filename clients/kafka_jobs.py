"""Jobs from `<p>jobs.<type>`: a consumer in group `<p>workers.<type>` reads the job records the
processors publish, and claims each with `JOB_BATCH ACTIVATE {jobKeys: [key]}` on the job's
partition. Only what the engine answers as ACTIVATED is worked on: a record may be stale (the
job was completed, cancelled or taken by another worker since it was published).

A poll reads everything committed to the topic before it started (up to the end offsets of the
assigned partitions), so a job created before the call is seen by the call. Offsets are
committed only past records whose claim was answered; an unanswered claim is read again.
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
            }
        )
        self._consumer.subscribe(
            [topic], on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_revoke
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
        claims: list[tuple[Message, PendingRequest]] = []
        for message in messages:
            claim = self._claim(message, job_type, worker, timeout_ms)
            if claim is not None:
                claims.append((message, claim))
        answers: list[Record[Any]] = []
        unanswered: dict[int, int] = {}
        deadline = time.monotonic() + request_timeout
        first_timeout: RequestTimeoutError | None = None
        for message, claim in claims:
            try:
                answers.append(self._channel.wait(claim, max(0.0, deadline - time.monotonic())))
            except RequestTimeoutError as error:
                partition, offset = message.partition() or 0, message.offset() or 0
                unanswered[partition] = min(unanswered.get(partition, offset), offset)
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
            message = self._consumer.poll(_POLL_SECONDS)
            if message is not None and self._progress.saw(message):
                messages.append(message)
            elif self._caught_up(ends) and (messages or time.monotonic() >= give_up):
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
            ends[partition] = watermarks(self._consumer, self.topic, partition, timeout)[1]
        return ends

    def _caught_up(self, ends: dict[int, int]) -> bool:
        # A partition revoked meanwhile is someone else's to read now.
        return self._progress.reached({p: e for p, e in ends.items() if p in self._assigned})

    def _claim(
        self, message: Message, job_type: str, worker: str, timeout_ms: int
    ) -> PendingRequest | None:
        try:
            job = decode_record(message.value() or b"")
            partition_id = decode_partition(job.key)
        except (RecordFormatError, ValueError):
            return None  # not a job record: nothing to claim, skip it
        command = Record.command(
            JobBatchIntent.ACTIVATE,
            JobBatchRecordValue(
                type=job_type,
                worker=worker,
                timeout=timeout_ms,
                max_jobs_to_activate=1,
                job_keys=(job.key,),
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
