"""One partition's processing, without I/O: Kafka command messages (and the commands time
calls for) in, the Kafka records to produce in one transaction out.

Every record the core returns goes to the audit log; responses go to the responses topic with
the request's headers, on the partition the request names (`honeyflow-reply-partition`) or
else the command's; commands for other partitions to their partition of the commands topic;
the jobs the core asks to publish (`PublishJob` side effects) to their worker
topic. Input that is not a valid command becomes a rejection or a dead-letter record
(`command_intake`), never an exception.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from broker.command_signing import COMMAND_ID_HEADER
from broker.protocol import Record, RejectionType, ValueType, encode_record
from broker.protocol.intents import JobIntent
from broker.topics import TopicSettings
from processors.engine import Engine
from processors.engine.results import ProcessingResult
from processors.engine.side_effects import RetractJob, SideEffect
from processors.kafka.awaiting_results import RequestHeaders, StoredAwaitingResults
from processors.kafka.command_intake import (
    CLIENT_ID_HEADER,
    REPLY_PARTITION_HEADER,
    REQUEST_ID_HEADER,
    REROUTED_FROM_HEADER,
    DeadLetter,
    Headers,
    Rejected,
    Reroute,
    read_command,
    rejection_result,
)
from processors.kafka.failed_commands import (
    CommandId,
    CommandsFailed,
    Failure,
    due_id,
    failure_reason,
    message_id,
)
from processors.kafka.rocks_store import RocksKeyValueStore
from processors.signed_intake import SignedIntake

if TYPE_CHECKING:
    from broker.command_signing import CommandVerifier, Signer

MAX_OUTPUT_BYTES: Final = 1_000_000
"""Largest record value the runtime produces: within Kafka's default `message.max.bytes`
(1 MiB and a little), which a broker applies to a record batch."""
DueId = tuple[ValueType, Any, int]
"""A due command by value type, intent and key."""
_NONE_FAILED: Final[Mapping[CommandId, Failure]] = {}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to produce: `topic` is a topic name, `partition` a Kafka partition; a value
    None is a tombstone (a job topic is compacted)."""

    topic: str
    partition: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()


@dataclass(slots=True)
class Batch:
    """What a run of commands produced; committed (or aborted) as one transaction."""

    records: list[Outgoing] = field(default_factory=list)
    job_topics: dict[str, tuple[str, str, list[CommandId]]] = field(default_factory=dict)
    """Per job topic written: its job type, tenant and the commands that wrote to it."""
    """Job topic name → (job type, the commands that published to it)."""
    commands: int = 0
    events: list[Record[Any]] = field(default_factory=list)
    """The audit-log records among `records`, undecoded (for the metrics)."""
    command: CommandId = ("", 0)
    """The command being processed."""
    left_out_due: list[DueId] = field(default_factory=list)
    """Due commands rejected in this batch: not processed again once it is committed."""


class PartitionProcessor:
    def __init__(
        self,
        partition_id: int,
        partition_count: int,
        store: RocksKeyValueStore,
        topics: TopicSettings,
        max_record_bytes: int,
        verifier: CommandVerifier | None = None,
        signer: Signer | None = None,
    ) -> None:
        """With `verifier`, every command must be signed (docs/security.md, "Who sent a
        command"), and `signer` signs the commands this partition sends to others."""
        self.partition_id = partition_id
        self.kafka_partition = partition_id - 1
        self.store = store
        self.topics = topics
        self.max_record_bytes = max_record_bytes
        self.awaiting = StoredAwaitingResults(store)
        self.engine = Engine(partition_id, partition_count, store, awaiting=self.awaiting)
        self.intake = None if verifier is None else SignedIntake(verifier, store)
        self.signer = signer
        self._job_topic_names: dict[tuple[str, str], str] = {}
        self.left_out_due: set[DueId] = set()
        """Due commands rejected because their results could not be written."""

    def process_message(
        self,
        value: bytes | None,
        headers: Headers,
        offset: int,
        now_ms: int,
        batch: Batch,
        failed: Mapping[CommandId, Failure] = _NONE_FAILED,
    ) -> None:
        """Process one message of the commands topic into `batch`. Raises CommandsFailed when
        its results cannot be written (`failed_commands`); the batch is then processed again
        with that command in `failed`."""
        batch.commands += 1
        outcome = read_command(
            value, headers, self.partition_id, self.max_record_bytes, self.engine.partition_count
        )
        request = _request_headers(headers, self.topics.reply_partitions)
        if isinstance(outcome, DeadLetter):
            batch.records.append(self._dead_letter(value, headers, offset, outcome.reason))
            return
        if isinstance(outcome, Reroute):
            batch.records.append(self._reroute(value or b"", headers, outcome.partition_id))
            return
        command_id = batch.command = message_id(offset)
        failure = failed.get(command_id) if failed else None
        if failure is not None:
            if failure.attempts > 1:  # not even its rejection can be written
                batch.records.append(self._dead_letter(value, headers, offset, failure.reason))
                return
            command = outcome.command if isinstance(outcome, Rejected) else outcome
            outcome = Rejected(command, RejectionType.PROCESSING_ERROR, failure.reason)
        try:
            if isinstance(outcome, Rejected):
                result = rejection_result(
                    self.engine, outcome, now_ms, offset if request is not None else None
                )
            else:
                # The offset is unique on this partition: the core's request id.
                request_id = offset if request is not None else None
                if request is not None:
                    self.awaiting.current[offset] = request
                sender = None
                if self.intake is not None:
                    sender = self.intake.check(
                        value or b"", headers, self._signed_partitions(headers), now_ms
                    )
                result = self.engine.process(outcome, now_ms, request_id, sender)
            start = len(batch.records)
            self._collect(result, batch, {offset: request} if request is not None else {})
            _check_sizes(batch.records, start)
        except Exception as error:  # the partition must never stop on a command
            command = outcome.command if isinstance(outcome, Rejected) else outcome
            reason = failure_reason(command, f"{type(error).__name__}: {error}")
            raise CommandsFailed({command_id: reason}) from error

    def _signed_partitions(self, headers: Headers) -> tuple[int, ...]:
        """The partitions a command may have been signed for: this one, or the one a message
        was re-routed from (messages go where their correlation key says)."""
        for name, data in headers:
            if name == REROUTED_FROM_HEADER and data and data.isdigit() and len(data) < 10:
                return (self.partition_id, int(data))
        return (self.partition_id,)

    def process_due(
        self, now_ms: int, batch: Batch, failed: Mapping[CommandId, Failure] = _NONE_FAILED
    ) -> None:
        """Process the commands time calls for now (timers, job deadlines, back-offs, TTLs):
        through the same path as any command, so they are in the audit log. One whose results
        cannot be written is rejected once and then left out (while this processor owns the
        partition) instead of failing again at every tick."""
        for index, command in enumerate(self.engine.due_commands(now_ms)):
            due = (command.value_type, command.intent, command.key)
            if due in self.left_out_due:
                continue
            command_id = batch.command = due_id(index)
            failure = failed.get(command_id) if failed else None
            if failure is not None and failure.attempts > 1:
                continue
            batch.commands += 1
            try:
                if failure is not None:
                    batch.left_out_due.append(due)
                    rejected = Rejected(command, RejectionType.PROCESSING_ERROR, failure.reason)
                    result = rejection_result(self.engine, rejected, now_ms, None)
                else:
                    result = self.engine.process(command, now_ms, None)
                start = len(batch.records)
                self._collect(result, batch, {})
                _check_sizes(batch.records, start)
            except Exception as error:  # the partition must never stop on a command
                reason = failure_reason(command, f"{type(error).__name__}: {error}")
                raise CommandsFailed({command_id: reason}) from error

    def discard(self) -> None:
        """Forget the uncommitted changes of a batch (it is aborted or processed again)."""
        self.store.discard()
        self.engine.state.discard_pending()
        self.awaiting.current.clear()
        self.awaiting.taken.clear()

    def _collect(
        self, result: ProcessingResult, batch: Batch, requests: dict[int, RequestHeaders]
    ) -> None:
        partition = self.kafka_partition
        batch.events.extend(result.records)
        for record in result.records:
            batch.records.append(
                Outgoing(
                    self.topics.events,
                    partition,
                    str(record.key).encode(),
                    encode_record(record),
                )
            )
        for request_id, response in result.responses.items():
            headers = requests.get(request_id) or self.awaiting.taken.pop(request_id, None)
            if headers is None:
                continue  # a request nobody can receive an answer for
            reply = headers.reply_partition
            answer_headers: Headers = (
                (REQUEST_ID_HEADER, headers.request_id.encode()),
                (CLIENT_ID_HEADER, headers.client_id.encode()),
            )
            if reply is not None:
                answer_headers += ((REPLY_PARTITION_HEADER, str(reply).encode()),)
            batch.records.append(
                Outgoing(
                    self.topics.responses,
                    partition if reply is None else reply,
                    str(response.key).encode(),
                    encode_record(response),
                    answer_headers,
                )
            )
        self.awaiting.current.clear()
        self.awaiting.taken.clear()
        last = result.records[-1].position if result.records else -1
        for index, (target, command) in enumerate(result.outbound):
            value = encode_record(command)
            signed: Headers = ()
            if self.signer is not None:  # unique per command: this partition's position
                command_id = f"engine-{self.partition_id}-{last}-{index}"
                signed = (
                    (COMMAND_ID_HEADER, command_id.encode()),
                    *self.signer.headers(value, target, command_id, now_ms=command_time(result)),
                )
            batch.records.append(
                Outgoing(
                    self.topics.commands,
                    target - 1,
                    str(command.key).encode(),
                    value,
                    signed,
                )
            )
        self._publish_jobs(result.side_effects, batch)

    def _publish_jobs(self, effects: tuple[SideEffect, ...], batch: Batch) -> None:
        """Carry out the core's side effects: each PublishJob's job to its job topic, a
        tombstone there for each RetractJob (job topics are compacted: a job's record stays
        until the job ends)."""
        for effect in effects:
            if isinstance(effect, RetractJob):
                topic = self._job_topic(effect.job_type, effect.tenant_id, batch)
                key = str(effect.job_key).encode()
                batch.records.append(Outgoing(topic, self.kafka_partition, key, None))
                continue
            job = self.engine.state.readers.jobs.get(effect.job_key)
            if job is None:
                continue
            topic = self._job_topic(job.value.type, job.value.tenant_id, batch)
            batch.records.append(
                Outgoing(
                    topic,
                    self.kafka_partition,
                    str(effect.job_key).encode(),
                    self._job_record(effect.record, job.value),
                )
            )

    def _job_topic(self, job_type: str, tenant_id: str, batch: Batch) -> str:
        name = self._job_topic_names.get((job_type, tenant_id))
        if name is None:
            name = self.topics.job_topic(job_type, tenant_id).name
            self._job_topic_names[(job_type, tenant_id)] = name
        published = batch.job_topics.get(name)
        if published is None:
            batch.job_topics[name] = (job_type, tenant_id, [batch.command])
        elif published[2][-1] != batch.command:
            published[2].append(batch.command)
        return name

    def _job_record(self, event: Record[Any], value: Any) -> bytes:
        try:
            variables = self.engine.state.readers.variables.visible(value.element_instance_key)
        except Exception:  # the scope is gone (a race with cancellation): publish without
            variables = {}
        job = dataclasses.replace(value, variables=variables, deadline=-1, worker="")
        if event.value_type is not ValueType.JOB:
            # A job's incident resolved: the job is activatable again, without a JOB event of
            # its own. It is published as RETRIES_UPDATED (the retries the resolution needed)
            # at the RESOLVED event's position (docs/jobs-on-kafka.md).
            return encode_record(
                dataclasses.replace(
                    event,
                    key=event.value.job_key,
                    value_type=ValueType.JOB,
                    intent=JobIntent.RETRIES_UPDATED,
                    value=job,
                )
            )
        return encode_record(dataclasses.replace(event, value=job))

    def _reroute(self, value: bytes, headers: Headers, partition_id: int) -> Outgoing:
        """The command as it came (its request headers too: the owner answers it), to its
        partition, with the partition it landed on."""
        forwarded: Headers = (
            *(h for h in headers if h[0] != REROUTED_FROM_HEADER),
            (REROUTED_FROM_HEADER, str(self.partition_id).encode()),
        )
        return Outgoing(self.topics.commands, partition_id - 1, None, value, forwarded)

    def _dead_letter(
        self, value: bytes | None, headers: Headers, offset: int, reason: str
    ) -> Outgoing:
        dlq_headers: Headers = (
            *headers,
            ("honeyflow-dlq-reason", reason.encode()),
            ("honeyflow-dlq-topic", self.topics.commands.encode()),
            ("honeyflow-dlq-partition", str(self.kafka_partition).encode()),
            ("honeyflow-dlq-offset", str(offset).encode()),
        )
        value = value or b""
        if len(value) > MAX_OUTPUT_BYTES:  # Kafka would refuse it: the offset says where it is
            dlq_headers = (*dlq_headers, ("honeyflow-dlq-omitted-bytes", str(len(value)).encode()))
            value = b""
        return Outgoing(
            dead_letter_topic(self.topics), self.kafka_partition, None, value, dlq_headers
        )


def command_time(result: ProcessingResult) -> int:
    """When the commands of `result` were written (its records' timestamp)."""
    return result.records[-1].timestamp if result.records else 0


def _check_sizes(records: list[Outgoing], start: int) -> None:
    """Raise for a record Kafka would refuse: a broker answers MESSAGE_TOO_LARGE, and the
    transaction would be retried forever (the command is rejected instead)."""
    for record in records[start:]:
        if record.value is not None and len(record.value) > MAX_OUTPUT_BYTES:
            raise ValueError(
                f"a record of {len(record.value)} bytes for {record.topic} is larger than"
                f" {MAX_OUTPUT_BYTES} bytes (Kafka's default message.max.bytes)"
            )


def dead_letter_topic(topics: TopicSettings) -> str:
    return topics.commands + ".dlq"


def _request_headers(headers: Headers, response_partitions: int) -> RequestHeaders | None:
    found = dict(headers)
    request_id = found.get(REQUEST_ID_HEADER)
    if request_id is None:
        return None
    client_id = found.get(CLIENT_ID_HEADER, b"")
    return RequestHeaders(
        request_id.decode("ascii", "replace"),
        client_id.decode("ascii", "replace"),
        reply_partition(found.get(REPLY_PARTITION_HEADER), response_partitions),
    )


def reply_partition(value: bytes | None, response_partitions: int) -> int | None:
    """The Kafka partition of the responses topic a request names, or None: no header, or one
    that is not a partition of the topic (decimal ASCII digits, 0 to count - 1). A request
    whose header cannot be used is answered on the command's partition, as before routed
    replies, rather than not at all (docs/wire-protocol.md)."""
    if value is None or not value.isdigit() or len(value) > 9:
        return None
    partition = int(value)
    return partition if partition < response_partitions else None
