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

`claim` is the pipelined form a `Worker` uses: it takes what has arrived, sends the claims and
returns them unanswered, so jobs published while a claim is on its way are read and claimed at
once instead of after its answer (docs/jobs-on-kafka.md). The offsets of a partition are then
committed up to the first record of its oldest claim still waiting for an answer.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Final

from confluent_kafka import Consumer, Message, TopicPartition

from broker.kafka_config import ClientConfig
from broker.protocol import Record, RecordFormatError, decode_partition, decode_record
from broker.protocol.intents import JobBatchIntent
from broker.protocol.values import DEFAULT_TENANT_ID, JobBatchRecordValue
from clients.errors import RequestTimeoutError
from clients.kafka_offsets import ReadProgress, watermarks
from clients.kafka_requests import PendingRequest, RequestChannel

_POLL_SECONDS: Final = 0.05


@dataclass(eq=False)
class JobClaim:
    """One JOB_BATCH ACTIVATE sent for `job_count` jobs read from the job topic; `answer`
    completes with the engine's answer (JOB_BATCH ACTIVATED, or a rejection), or fails with
    RequestTimeoutError once the claim is given up."""

    pending: PendingRequest
    job_count: int
    first: dict[int, int]
    """Per Kafka partition of the job topic, the first offset the claim covers."""
    deadline: float
    timeout: float
    timed_out: bool = field(default=False)
    """Given up by `activate` (whose wait ran out)."""

    @property
    def answer(self) -> Future[Record[Any]]:
        return self.pending.future


class JobFeed:
    """The jobs of one type of one tenant for one client. Calls are serialised; `activate`
    blocks until its claims are answered, `claim` does not."""

    def __init__(
        self,
        config: ClientConfig,
        topic: str,
        group: str,
        channel: RequestChannel,
        tenant_id: str = DEFAULT_TENANT_ID,
    ) -> None:
        self.topic = topic
        # The claims name the tenant: the engine hands out only jobs of the tenants a batch
        # names (none: the default one, whose claims stay as they were).
        self._tenant_ids = () if tenant_id == DEFAULT_TENANT_ID else (tenant_id,)
        self._channel = channel
        self._assigned: set[int] = set()
        self._progress = ReadProgress()
        self._lock = threading.Lock()
        self._in_flight: list[JobClaim] = []
        self._read_upto: dict[int, int] = {}
        """Per Kafka partition, the offset after the last record read (claimed or not)."""
        self._committed: dict[int, int] = {}
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
        for p in partitions:
            self._read_upto.pop(p.partition, None)
            self._committed.pop(p.partition, None)

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
        with self._lock:
            self._settle(asynchronous=False)
            messages = self._read(max_jobs, request_timeout, wait)
            claims = self._send_claims(messages, job_type, worker, timeout_ms, request_timeout)
        answers: list[Record[Any]] = []
        first_timeout: RequestTimeoutError | None = None
        for claim in claims:
            try:
                remaining = max(0.0, claim.deadline - time.monotonic())
                answers.append(self._channel.wait(claim.pending, remaining))
            except RequestTimeoutError as error:
                claim.timed_out = True
                first_timeout = first_timeout or error
        with self._lock:
            self._settle(asynchronous=False)
        if first_timeout is not None and not any(a.value.job_keys for a in answers):
            raise first_timeout
        return answers

    def claim(
        self,
        *,
        job_type: str,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
    ) -> list[JobClaim]:
        """Claim up to `max_jobs` of the jobs read by now (waiting up to `wait` for a first
        one) without waiting for the answers; settles the claims of earlier calls (commits
        what they covered, reads again what got no answer within `request_timeout`)."""
        with self._lock:
            self._settle(asynchronous=True)
            messages = self._take(max_jobs, wait)
            return self._send_claims(messages, job_type, worker, timeout_ms, request_timeout)

    def in_flight(self) -> int:
        """Claims sent and not yet settled."""
        with self._lock:
            return len(self._in_flight)

    def _send_claims(
        self,
        messages: list[Message],
        job_type: str,
        worker: str,
        timeout_ms: int,
        request_timeout: float,
    ) -> list[JobClaim]:
        # Per partition id: the job keys read, and per Kafka partition the first offset read.
        keys: dict[int, list[int]] = {}
        first: dict[int, dict[int, int]] = {}
        for message in messages:
            kafka_partition, offset = message.partition() or 0, message.offset() or 0
            self._read_upto[kafka_partition] = max(
                self._read_upto.get(kafka_partition, 0), offset + 1
            )
            key = _job_key(message)
            if key is None:
                continue  # not a job record: nothing to claim, skip it
            partition_id = decode_partition(key)
            if key not in keys.setdefault(partition_id, []):
                keys[partition_id].append(key)
            offsets = first.setdefault(partition_id, {})
            offsets[kafka_partition] = min(offsets.get(kafka_partition, offset), offset)
        deadline = time.monotonic() + request_timeout
        claims = [
            JobClaim(
                self._claim(partition_id, job_keys, job_type, worker, timeout_ms),
                len(job_keys),
                first[partition_id],
                deadline,
                request_timeout,
            )
            for partition_id, job_keys in keys.items()
        ]
        self._in_flight.extend(claims)
        return claims

    def _settle(self, *, asynchronous: bool) -> None:
        """Forget answered claims, give up on those past their deadline (their records are
        read again), and commit each partition up to its oldest claim still in flight."""
        now = time.monotonic()
        waiting: list[JobClaim] = []
        rewind: dict[int, int] = {}
        for claim in self._in_flight:
            answer = claim.answer
            if not claim.timed_out and not answer.done() and now >= claim.deadline:
                self._channel.expire(claim.pending, claim.timeout)
            if claim.timed_out or (answer.done() and answer.exception() is not None):
                for kafka_partition, offset in claim.first.items():
                    rewind[kafka_partition] = min(rewind.get(kafka_partition, offset), offset)
            elif not answer.done():
                waiting.append(claim)
        self._in_flight = waiting
        for kafka_partition, offset in rewind.items():
            # Read the unanswered claim's jobs again; commit only what came before.
            if kafka_partition not in self._assigned:
                continue  # someone else's to read now
            self._consumer.seek(TopicPartition(self.topic, kafka_partition, offset))
            self._progress.rewind(kafka_partition, offset)
            self._read_upto[kafka_partition] = offset
        commit = dict(self._read_upto)
        for claim in waiting:
            for kafka_partition, offset in claim.first.items():
                if kafka_partition in commit:
                    commit[kafka_partition] = min(commit[kafka_partition], offset)
        changed = [
            TopicPartition(self.topic, p, o)
            for p, o in commit.items()
            if p in self._assigned and self._committed.get(p) != o
        ]
        if not changed:
            return
        if asynchronous:
            self._consumer.commit(offsets=changed, asynchronous=True)
        else:
            self._consumer.commit(offsets=changed, asynchronous=False)
        self._committed.update((tp.partition, tp.offset) for tp in changed)

    def _take(self, max_jobs: int, wait: float) -> list[Message]:
        """What the consumer has fetched already, up to `max_jobs`; waits up to `wait` for a
        first record when there is none."""
        if not self._assignment_known.wait(0) and not self._await_assignment(
            max(wait, _POLL_SECONDS)
        ):
            return []
        polled = self._consumer.consume(max_jobs, 0)
        if not polled and wait > 0:
            first = self._consumer.poll(wait)
            polled = [] if first is None else [first]
            if max_jobs > 1:
                polled.extend(self._consumer.consume(max_jobs - 1, 0))
        return [message for message in polled if self._progress.saw(message)]

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
                tenant_ids=self._tenant_ids,
            ),
        )
        return self._channel.submit(command, partition_id)

    def close(self) -> None:
        self._consumer.close()
        self._offsets.close()


def _job_key(message: Message) -> int | None:
    """The job key of a job record: its Kafka key (decimal ASCII, docs/wire-protocol.md),
    read from the record itself only when the Kafka key is missing; None for a tombstone."""
    if message.value() is None:
        return None  # a tombstone: the job ended (job topics are compacted)
    try:
        raw = message.key()
        key = int(raw) if raw else decode_record(message.value() or b"").key
        decode_partition(key)
    except (RecordFormatError, ValueError):
        return None
    return key
