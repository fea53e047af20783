"""Kafka-native job workers on Faust whose own records and the job's answer commit in ONE
Kafka transaction: a payment worker that writes `payments.charged` and completes its job
either does both or neither, however often it is killed (docs/jobs-on-kafka.md, "Exactly-once
side effects").

    app = job_app("payment", "kafka://localhost:9092")
    worker = FaustJobWorker(app, "payment", "kafka://localhost:9092", timeout=30)

    @worker.handler
    async def charge(job: ActivatedJob, out: Outbox) -> dict:
        out.send("payments.charged", {"order": job.variables["order"]}, key=str(job.key))
        return {"charged": True}      # JOB COMPLETE with these variables

    faust.Worker(app).execute_from_commandline()

One Faust agent (concurrency 1) reads `<p>jobs.<type>` in the group `<p>workers.<type>` (the
app's id: Faust's group is its app id). Per batch of records it takes, per Kafka partition p:

1. the transactional producer of p, `transactional.id = <p>workers.<type>-<p>`, is started
   if this process has none (InitProducerId: fences every earlier holder of p and aborts its
   open transaction) — always BEFORE anything of p is claimed;
2. the jobs read are claimed (JOB_BATCH ACTIVATE with their keys, a plain request); only the
   jobs the engine answers as activated are worked on (a record may be stale);
3. the handlers run; each puts its records in its `Outbox` and returns variables (COMPLETE),
   raises `BpmnError` (THROW_ERROR) or anything else (FAIL, one retry fewer, back-off);
4. one transaction of p's producer holds every Outbox record, every answer command (to
   `<p>commands`[p]) and the group's offset past the batch; it commits, or it is aborted and
   the producer dropped (the next batch of p starts a new one).

Why that is exactly once per job (COMPLETE and THROW_ERROR; a FAIL's records are one per
failed attempt): a job is worked on only under an activation, and two activations of one job
need the first one's deadline to pass. For a second attempt's records to be committed after
the first's, the first transaction T1 (epoch e1 of p's transactional id) and the second's claim
c2 (sent by a holder of epoch e2) must both reach the log. If e2 = e1, it is one producer in one
agent: T1 ended before c2 was sent. If e2 > e1, InitProducerId(e2) came before c2, and T1 could
commit only before it. Either way T1's COMPLETE is in `<p>commands`[p] before c2, the engine
completes the job (it takes a COMPLETE for an activated or an activatable job, as Zeebe) and
the claim comes back empty. If e2 < e1, T2 would have to commit before InitProducerId(e1),
which came before c1, which came before c2: impossible. A worker that dies before its commit
leaves an aborted transaction (invisible to `read_committed` readers) and an activated job that
times out and comes back; one that dies after it leaves a completed job and an offset past its
record.

A batch that fails outside the handlers and the transaction crashes the app: the consumer has
moved past its records, and only a restart (from the committed offset) reads them again.

What is safe:
- agent concurrency stays 1 (faust-streaming loses messages above 1, issue #606; and the
  argument above needs one claim-then-commit sequence per partition and process);
- no Faust tables in this app: Faust's RocksDB store writes before a transaction commits
  (docs/kafka-runtime.md); keep state in Kafka topics you write through the Outbox;
- Faust's own `processing_guarantee="exactly_once"` is refused: its transaction manager picks
  the transaction by the partition a record is SENT to, not the one it was read from
  (`faust/transport/consumer.py`, `TransactionManager.send`), so a record sent to another
  partition than the one read waits in a transaction that no offset commit ends (test:
  `tests/kafka_runtime/test_faust_jobs.py`); it also logs and swallows failed commits;
- Faust's consumer in `at_least_once` reads `read_uncommitted`; a job record of an engine
  transaction that is aborted is claimed like any stale record (answered empty, or activated
  once the engine's retried batch has created the job: keys are deterministic);
- a Faust worker type must not share `<p>workers.<type>` with `clients.worker.Worker`s of the
  same type (the two consumer protocols cannot form one group).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from broker.protocol import Record, decode_partition, encode_record
from broker.protocol.intents import JobBatchIntent, JobIntent
from broker.protocol.values import JobBatchRecordValue
from broker.topics import ensure_topics, workers_group
from clients import commands as c
from clients.arguments import Arguments
from clients.errors import HoneyflowError, InvalidArgumentError
from clients.kafka_address import parse_kafka_url
from clients.kafka_transport import KafkaTransport
from clients.results import ActivatedJob
from clients.worker import BpmnError
from clients.worker_handlers import Backoff

log = logging.getLogger(__name__)

_CLAIM_TIMEOUT: Final = 30.0
"""Seconds to wait for a claim's answer before it is sent again."""

Value: TypeAlias = bytes | str | Mapping[str, Any] | None
Handler: TypeAlias = Callable[["ActivatedJob", "Outbox"], Any]


@dataclass(frozen=True)
class OutRecord:
    topic: str
    value: bytes | None
    key: bytes | None
    partition: int | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass
class Outbox:
    """The records a handler writes; they commit with the job's answer or not at all (a
    handler that raises has its records dropped: the job is failed instead)."""

    records: list[OutRecord] = field(default_factory=list)

    def send(
        self,
        topic: str,
        value: Value,
        *,
        key: bytes | str | None = None,
        partition: int | None = None,
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        """`value`: bytes, text (UTF-8) or a JSON object; None is a tombstone."""
        a = Arguments("Outbox.send")
        topic = a.text("topic", topic, required=True)
        if isinstance(value, Mapping):
            raw: bytes | None = json.dumps(value, separators=(",", ":")).encode()
        elif isinstance(value, str):
            raw = value.encode()
        elif value is None or isinstance(value, bytes):
            raw = value
        else:
            a.fail("value", f"must be bytes, text, a JSON object or None, but was {value!r}")
        raw_key = key.encode() if isinstance(key, str) else key
        self.records.append(OutRecord(topic, raw, raw_key, partition, tuple(headers)))


def job_app(job_type: str, url: str, **settings: Any) -> Any:
    """A `faust.App` for a worker of `job_type`: its id is the workers' group
    `<prefix>workers.<type>` (Faust's consumer group is its app id), new groups start at the
    earliest job, no web server, no leader topic; `settings` go to Faust as they are."""
    import faust

    address = parse_kafka_url(url)
    if settings.get("processing_guarantee", "at_least_once") != "at_least_once":
        raise InvalidArgumentError.of_argument(
            "job_app",
            "processing_guarantee",
            "must stay 'at_least_once': the worker commits its records, the job's answer and"
            " the offsets in transactions of its own (Faust's exactly_once picks the"
            " transaction by the partition a record is sent to; clients/faust_jobs.py)",
        )
    defaults: dict[str, Any] = {
        "broker": [f"kafka://{host}" for host in address.bootstrap.split(",")],
        "store": "memory://",
        "web_enabled": False,
        "topic_disable_leader": True,
        "consumer_auto_offset_reset": "earliest",
    }
    return faust.App(workers_group(address.prefix, job_type), **{**defaults, **settings})


@dataclass
class Answer:
    """What a handler made of a job: the command that answers it, and the records to commit
    with that command."""

    job: ActivatedJob
    command: Record[Any]
    records: list[OutRecord]


async def answer(handler: Handler, job: ActivatedJob, backoff: Backoff) -> Answer:
    """Run `handler` on `job`: its dict (or None) completes the job with its Outbox records;
    `BpmnError` throws the error, with the records; any other exception fails the job with one
    retry fewer after `backoff`, and drops the records. Never raises."""
    out = Outbox()
    try:
        result = handler(job, out)
        if inspect.isawaitable(result):
            result = await result
        if result is not None and not isinstance(result, dict):
            raise TypeError(f"the handler returned {result!r}, not a dict or None")
        variables = Arguments("handler").variables("variables", result)
        command = c.job_command(JobIntent.COMPLETE, job.key, variables=variables)
        return Answer(job, command, out.records)
    except BpmnError as error:
        command = c.job_command(
            JobIntent.THROW_ERROR,
            job.key,
            error_code=error.code,
            error_message=error.message,
            variables=error.variables,
        )
        return Answer(job, command, out.records)
    except Exception as error:  # user code fails the job, never the worker
        retries = max(job.retries - 1, 0)
        backoff_ms = backoff.next_ms(job) if retries > 0 else 0
        message = f"{type(error).__name__}: {error}"
        log.warning("job %d (%s) failed, %d retries left: %s", job.key, job.type, retries, message)
        fields = c.fail_fields(retries, message, backoff_ms, {})
        return Answer(job, c.job_command(JobIntent.FAIL, job.key, **fields), [])


class FaustJobWorker:
    """Makes `app` (see `job_app`) a worker of `job_type` once a handler is registered with
    `@worker.handler`. `timeout`: seconds a job is held; `max_jobs`: records taken per batch
    (one claim and one transaction per partition per batch); `within`: seconds a batch waits
    to fill; a FAIL asks for `retry_backoff` seconds of back-off, growing `backoff_multiplier`
    times per failure up to `max_retry_backoff`. `producer_options`: aiokafka settings for the
    transactional producers (security, as the app's `broker_credentials`)."""

    def __init__(
        self,
        app: Any,
        job_type: str,
        url: str,
        *,
        timeout: float = 30,
        max_jobs: int = 64,
        within: float = 0.05,
        worker_name: str = "honeyflow-faust-worker",
        retry_backoff: float = 1,
        backoff_multiplier: float = 2,
        max_retry_backoff: float = 60,
        producer_options: Mapping[str, Any] | None = None,
    ) -> None:
        a = Arguments("FaustJobWorker")
        self.job_type = a.text("job_type", job_type, required=True)
        self._timeout_ms = a.millis("timeout", timeout, positive=True)
        self._max_jobs = a.count("max_jobs", max_jobs, minimum=1)
        self._within = a.seconds("within", within, positive=True)
        self._worker_name = a.text("worker_name", worker_name, required=True)
        self._backoff = Backoff(
            a.millis("retry_backoff", retry_backoff),
            float(backoff_multiplier),
            a.millis("max_retry_backoff", max_retry_backoff),
        )
        self._address = parse_kafka_url(url)
        self.group = workers_group(self._address.prefix, self.job_type)
        if app.conf.id != self.group:
            a.fail(
                "app",
                f"must have the id {self.group!r} (the workers' group; Faust's consumer group"
                f" is its app id), but has {app.conf.id!r}: create it with job_app()",
            )
        if app.conf.processing_guarantee.value != "at_least_once":
            a.fail("app", "must keep processing_guarantee 'at_least_once' (see job_app)")
        self.app = app
        self._producer_options = dict(producer_options or {})
        self._transport = KafkaTransport(self._address)
        spec = self._transport.topics.job_topic(self.job_type)
        ensure_topics(self._address.config, [spec])
        self.topic_name = spec.name
        self._partitions = self._transport.topics.partitions
        self._producers: dict[int, Any] = {}
        self._handler: Handler | None = None

    def handler(self, function: Handler) -> Handler:
        """Register `function(job, outbox)` (plain or `async def`) as the handler and the
        app's agent on the job topic."""
        if self._handler is not None:
            raise InvalidArgumentError.of_argument(
                "FaustJobWorker.handler", "function", "the worker has a handler already"
            )
        self._handler = function
        topic = self.app.topic(
            self.topic_name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
        )

        async def jobs(stream: Any) -> None:
            async for events in stream.take_events(self._max_jobs, within=self._within):
                try:
                    await self.work(events)
                except Exception as error:
                    # The consumer has moved past these records; skipping them would leave
                    # jobs nobody claims. A restarted worker reads them again.
                    log.exception("%s: the worker stops", self.group)
                    await self.app.crash(error)

        self.app.agent(topic, name=f"{self.group}.agent", concurrency=1)(jobs)
        self.app.on_partitions_revoked.connect(self._on_revoked)
        return function

    async def _on_revoked(self, _app: Any, revoked: Iterable[Any], **_: Any) -> None:
        # Partitions taken away: their producers are someone else's to start now.
        for tp in revoked:
            if tp.topic == self.topic_name:
                await self._drop(tp.partition)

    async def work(self, events: Sequence[Any]) -> None:
        """One batch: claim, handle, one transaction per Kafka partition."""
        by_partition: dict[int, list[Any]] = {}
        for event in events:
            by_partition.setdefault(event.message.partition, []).append(event.message)
        await asyncio.gather(*(self._work_partition(p, m) for p, m in by_partition.items()))

    async def _work_partition(self, partition: int, messages: list[Any]) -> None:
        producer = await self._producer(partition)  # before the claim: fences the last owner
        keys = list(dict.fromkeys(k for k in map(_job_key, messages) if k is not None))
        # A job lives on the partition its key names: claims and answers go there.
        keys = [k for k in keys if decode_partition(k) == partition + 1]
        jobs = await self._claim(partition, keys) if keys else []
        handler = self._handler
        assert handler is not None
        answers = await asyncio.gather(*(answer(handler, job, self._backoff) for job in jobs))
        offset = max(m.offset for m in messages) + 1
        try:
            await producer.begin_transaction()
            sent = []
            for done in answers:
                for r in done.records:
                    sent.append(
                        await producer.send(
                            r.topic,
                            r.value,
                            key=r.key,
                            partition=r.partition,
                            headers=list(r.headers) or None,
                        )
                    )
                sent.append(
                    await producer.send(
                        self._transport.topics.commands,
                        encode_record(done.command),
                        partition=partition,
                    )
                )
            await asyncio.gather(*sent)
            await producer.send_offsets_to_transaction(
                {_topic_partition(self.topic_name, partition): offset}, self.group
            )
            await producer.commit_transaction()
        except Exception as error:
            # Nothing of the batch is visible; its jobs are activated and come back when
            # their deadline passes. A new producer for the next batch aborts what is open.
            log.warning(
                "%s: transaction of %d jobs of partition %d failed, dropped: %s",
                self.group,
                len(answers),
                partition,
                error,
            )
            await self._drop(partition)

    async def _producer(self, partition: int) -> Any:
        producer = self._producers.get(partition)
        pause = 0.1
        while producer is None:
            from aiokafka import AIOKafkaProducer

            candidate = AIOKafkaProducer(
                bootstrap_servers=self._address.bootstrap.split(","),
                transactional_id=f"{self.group}-{partition}",
                acks="all",
                enable_idempotence=True,
                **self._producer_options,
            )
            try:
                await candidate.start()  # InitProducerId
            except Exception as error:  # e.g. the transaction coordinator is loading
                log.warning("%s: producer of partition %d: %s", self.group, partition, error)
                await candidate.stop()
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            producer = self._producers[partition] = candidate
        return producer

    async def _drop(self, partition: int) -> None:
        producer = self._producers.pop(partition, None)
        if producer is not None:
            try:
                await producer.stop()
            except Exception as error:  # fenced or closed already
                log.debug("stopping the producer of partition %d: %s", partition, error)

    async def _claim(self, partition: int, keys: list[int]) -> list[ActivatedJob]:
        """The jobs of `keys` the engine activated for this worker; asks again until it gets
        an answer (jobs a lost answer activated time out and come back)."""
        command = Record.command(
            JobBatchIntent.ACTIVATE,
            JobBatchRecordValue(
                type=self.job_type,
                worker=self._worker_name,
                timeout=self._timeout_ms,
                max_jobs_to_activate=len(keys),
                job_keys=tuple(keys),
            ),
        )
        reply = await until_answered(
            lambda: self._transport.request_async(command, partition + 1, _CLAIM_TIMEOUT),
            f"{self.group}: claim of {len(keys)} jobs of partition {partition}",
        )
        return c.activated_jobs(reply)

    async def close(self) -> None:
        for partition in list(self._producers):
            await self._drop(partition)
        self._transport.close()


async def until_answered(
    request: Callable[[], Awaitable[Record[Any]]], what: str, first_pause: float = 0.1
) -> Record[Any]:
    """The answer of `request` (a claim), asked again after a pause doubling up to 5 s while
    it fails: timed out, not delivered (Kafka unreachable) or refused. Never gives up: a claim
    given up would let the batch's offset pass records whose jobs nobody then activates."""
    pause = first_pause
    while True:
        try:
            return c.check(await request())
        except HoneyflowError as error:
            log.warning("%s: %s; asking again in %.2f s", what, error, pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, 5.0)


def _job_key(message: Any) -> int | None:
    """The job key of a record of the job topic (decimal ASCII Kafka key); None for a
    tombstone or a record that is not a job's."""
    if message.value is None or not message.key:
        return None
    try:
        key = int(message.key)
        decode_partition(key)
    except ValueError:
        return None
    return key


def _topic_partition(topic: str, partition: int) -> Any:
    from aiokafka import TopicPartition

    return TopicPartition(topic, partition)
