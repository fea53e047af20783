"""The engine process: a consumer group member on the commands topic that runs, for every
partition it owns, the core in a loop and commits each batch's outputs, state changes and
consumed offset (a changelog record) in one Kafka transaction (docs/kafka-runtime.md).

Each owned partition has its own transactional producer (`<prefix>engine-<partition>`): a
processor that takes a partition over fences the previous owner with the same id, aborting its
open transaction, before it restores the state from the changelog.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka import errors as Errors
from aiokafka.errors import IllegalOperation, KafkaError, ProducerFenced
from aiokafka.producer import sender as aiokafka_sender
from aiokafka.protocol.offset import OffsetRequest

from broker.command_signing import SIGNING_KEY_SETTING, CommandVerifier, Signer, SigningError
from broker.errors import TopicError
from broker.kafka_config import ClientConfig
from broker.protocol import DEFAULT_MAX_RECORD_BYTES
from broker.topics import TopicSettings, TopicSpec, ensure_topics, existing_response_partitions
from processors.kafka.changelog import changelog_spec, dead_letter_spec, restore
from processors.kafka.client_options import aiokafka_options
from processors.kafka.failed_commands import CommandId, CommandsFailed, Failure, remember
from processors.kafka.group_offsets import GroupOffsets
from processors.kafka.partition_processor import Batch, PartitionProcessor
from processors.kafka.rocks_store import RocksKeyValueStore
from processors.kafka.transaction_batches import TransactionBatches

if TYPE_CHECKING:
    from processors.metrics import ProcessorMetrics

log = logging.getLogger(__name__)

# Within the broker's default `message.max.bytes` (1 MB plus a little).
_BATCH_BYTES: Final = 1_000_000
# A transaction begun right after the previous commit often finds that commit's markers not
# written yet (a few ms on one node): TxnOffsetCommit answers COORDINATOR_NOT_AVAILABLE, retried
# after this back-off (aiokafka's default of 100 ms stalled 3 % of the commits at 200
# instances/s by 100 ms), and AddPartitionsToTxn answers CONCURRENT_TRANSACTIONS, retried after
# aiokafka's `BACKOFF_OVERRIDE` (20 ms, KAFKA-5477; 6 % of the commits), lowered in the engine
# process (docs/kafka-runtime.md, Performance). aiokafka is pinned (pyproject.toml); the general
# back-off stays at 10 ms, as it also paces metadata retries while a broker is down.
_RETRY_BACKOFF_MS: Final = 10
aiokafka_sender.BACKOFF_OVERRIDE = 0.005
# How old the engine consumer's metadata may get (aiokafka's default is five minutes).
_METADATA_MAX_AGE_MS: Final = 10_000
# While a batch commits, the loop takes what the consumer fetched this often (see `_fetch_during`).
_DRAIN_SECONDS: Final = 0.003


@dataclass(frozen=True)
class EngineSettings:
    client_config: ClientConfig
    topics: TopicSettings
    data_dir: Path
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    max_batch: int = 1000
    """Most commands of one partition committed in one transaction."""
    tick_ms: int = 50
    """How often due dates are checked; also the longest wait for new commands."""
    session_timeout_ms: int = 6000
    """How long a processor may be silent before the group gives its partitions away."""
    admin_public_key: Path | None = None
    """The admin's Ed25519 public key (PEM): with it, every command must be signed by a
    principal the admin certified (docs/security.md, "Who sent a command"); without it,
    commands are not checked."""
    revoked_keys: Path | None = None
    """Public keys whose certificates the engine no longer honours (`read_revoked`)."""
    signing_key: Path | None = None
    """The engine's own key (its certificate beside it, `.principal`), which signs the
    commands it sends between partitions; needed with `admin_public_key`."""

    @property
    def group_id(self) -> str:
        return self.topics.prefix + "engine"


@dataclass(eq=False)
class _Owned:
    processor: PartitionProcessor
    producer: AIOKafkaProducer
    tp: TopicPartition
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    closed: bool = False
    fetched: list[Any] = field(default_factory=list)
    """Commands taken from the consumer and not processed yet (the next batch's)."""

    def take(self, limit: int) -> list[Any]:
        taken, self.fetched = self.fetched[:limit], self.fetched[limit:]
        return taken


class EngineRuntime:
    def __init__(self, settings: EngineSettings, metrics: ProcessorMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics
        self.topics = settings.topics
        self._options = aiokafka_options(settings.client_config)
        self._owned: dict[int, _Owned] = {}
        self._known_job_topics: set[str] = set()
        self._changelog = changelog_spec(self.topics).name
        self._consumer: AIOKafkaConsumer | None = None
        self._verifier: CommandVerifier | None = None
        self._signer: Signer | None = None
        if settings.admin_public_key is not None:
            self._verifier = CommandVerifier.from_file(
                settings.admin_public_key, settings.revoked_keys
            )
            if settings.signing_key is None:
                raise SigningError(
                    "an engine that checks signed commands needs its own signing key for the"
                    f" commands it sends between partitions: set {SIGNING_KEY_SETTING} in its"
                    " Kafka configuration (the engine's credentials file has it)"
                )
            self._signer = Signer.from_files(settings.signing_key)
        self._group_offsets = GroupOffsets(None)

    @property
    def partitions(self) -> list[int]:
        """The partition ids this processor owns now."""
        return sorted(self._owned)

    async def run(self, stop: asyncio.Event) -> None:
        config = dict(self.settings.client_config)
        self.topics = await asyncio.to_thread(existing_response_partitions, config, self.topics)
        specs = [*self.topics.core_topics(), changelog_spec(self.topics)]
        specs.append(dead_letter_spec(self.topics))
        await asyncio.to_thread(self._ensure, specs)
        consumer = AIOKafkaConsumer(
            group_id=self.settings.group_id,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            session_timeout_ms=self.settings.session_timeout_ms,
            heartbeat_interval_ms=max(self.settings.session_timeout_ms // 6, 100),
            fetch_max_wait_ms=self.settings.tick_ms,
            max_partition_fetch_bytes=max(self.settings.max_record_bytes * 2, 1 << 20),
            # A group leader assigns only the partitions its metadata knows; metadata that
            # missed a topic is otherwise refreshed after five minutes (aiokafka's default).
            metadata_max_age_ms=_METADATA_MAX_AGE_MS,
            **self._options,
        )
        self._consumer = consumer
        self._group_offsets = GroupOffsets(consumer)
        await consumer.start()
        await _await_topic(consumer, self.topics.commands, self.topics.partitions)
        consumer.subscribe([self.topics.commands], listener=_Listener(self))
        limit = self.settings.max_batch
        try:
            while not stop.is_set():
                waiting = any(owned.fetched for owned in self._owned.values())
                wait_ms = 0 if waiting else self.settings.tick_ms
                self._keep(await consumer.getmany(timeout_ms=wait_ms, max_records=limit))
                now_ms = int(time.time() * 1000)
                work = asyncio.gather(
                    *[
                        self._run_partition(owned, owned.take(limit), now_ms)
                        for owned in list(self._owned.values())
                    ]
                )
                await self._fetch_during(consumer, work)
        finally:
            await self._release(list(self._owned.values()))
            await self._group_offsets.close()
            await consumer.stop()

    async def _fetch_during(self, consumer: AIOKafkaConsumer, work: asyncio.Future[Any]) -> None:
        """Await `work`, meanwhile taking what the consumer fetched into the owners' queues.

        aiokafka sends the next fetch to a broker only once everything fetched from it was
        taken: without this, commands that arrive while a batch commits were fetched only
        after the next `getmany` and processed a batch later. `getmany(timeout_ms=0)` does not
        yield (outside a rebalance), so a seek in `work` never races with it."""
        limit = self.settings.max_batch
        while True:
            done, _ = await asyncio.wait({work}, timeout=_DRAIN_SECONDS)
            if done:
                work.result()
                return
            queued = sum(len(owned.fetched) for owned in self._owned.values())
            if queued < limit * max(len(self._owned), 1):
                try:
                    self._keep(await consumer.getmany(timeout_ms=0, max_records=limit))
                except Exception:
                    await asyncio.wait({work})  # the batches in flight end first
                    raise

    def _keep(self, fetched: dict[TopicPartition, list[Any]]) -> None:
        for tp, messages in fetched.items():
            owned = self._owned.get(tp.partition + 1)
            if owned is not None and owned.tp == tp and not owned.closed:
                owned.fetched.extend(messages)
            # else: not ours (any more); whoever owns it next starts at the committed offset

    async def _run_partition(self, owned: _Owned, messages: list[Any], now_ms: int) -> None:
        async with owned.lock:
            if owned.closed:
                return
            processor = owned.processor
            metrics = self.metrics
            failed: dict[CommandId, Failure] = {}
            while True:  # again from the committed state for each command that failed
                batch = Batch()
                try:
                    seconds = self._process(processor, messages, now_ms, batch, failed)
                    await self._ensure_job_topics(owned, batch)
                    break
                except CommandsFailed as error:
                    for reason in error.reasons.values():
                        log.error("partition %d: %s", processor.partition_id, reason)
                    processor.discard()
                    remember(failed, error)
            if metrics is not None:
                await self._report_lag(owned, metrics)
            if not batch.records and not messages:
                return
            try:
                await self._commit(owned, batch, messages[-1].offset + 1 if messages else None)
                processor.left_out_due.update(batch.left_out_due)
                if metrics is not None:  # counted once committed: a retried batch is not twice
                    metrics.commands_processed(processor.partition_id, seconds)
                    observe = metrics.records.observe
                    for record in batch.events:
                        observe(record)
            except (ProducerFenced, IllegalOperation):
                # IllegalOperation: the producer is no longer in a transaction because its
                # sender was fenced in the background (not a KafkaError; it stopped the engine).
                log.warning("partition %d was taken over; leaving it", processor.partition_id)
                processor.discard()
                await self._close(owned)
            except KafkaError as error:
                # Retry the same commands from the committed state (nothing became visible).
                log.warning("transaction of partition %d failed: %r", processor.partition_id, error)
                processor.discard()
                if not await _abort(owned.producer):
                    # The producer is in a fatal state (aiokafka asserts on abort): take the
                    # partition over again from its committed state with a new producer,
                    # which fences this one, instead of letting the error stop the engine.
                    log.warning("partition %d: opening it again", processor.partition_id)
                    await self._close(owned)
                    if self._consumer is not None:
                        await self._acquire({owned.tp})
                    return
                if messages and self._consumer is not None:
                    owned.fetched.clear()  # fetched after these: read again after them
                    self._consumer.seek(owned.tp, messages[0].offset)

    def _process(
        self,
        processor: PartitionProcessor,
        messages: list[Any],
        now_ms: int,
        batch: Batch,
        failed: dict[CommandId, Failure],
    ) -> list[float]:
        """Process `messages` and the due commands into `batch`; with metrics, each command's
        time (due commands share the time of the call that produced them)."""
        if self.metrics is None:
            for message in messages:
                processor.process_message(
                    message.value,
                    tuple(message.headers or ()),
                    message.offset,
                    now_ms,
                    batch,
                    failed,
                )
            processor.process_due(now_ms, batch, failed)
            return []
        clock = time.perf_counter
        seconds = []
        for message in messages:
            started = clock()
            processor.process_message(
                message.value, tuple(message.headers or ()), message.offset, now_ms, batch, failed
            )
            seconds.append(clock() - started)
        before = batch.commands
        started = clock()
        processor.process_due(now_ms, batch, failed)
        due = batch.commands - before
        if due:
            seconds.extend([(clock() - started) / due] * due)
        return seconds

    async def _report_lag(self, owned: _Owned, metrics: ProcessorMetrics) -> None:
        """Commands on the partition not consumed yet: the end of its committed records (as of
        the last fetch response) minus the position."""
        consumer = self._consumer
        if consumer is None:
            return
        try:
            end = consumer.last_stable_offset(owned.tp)
            if end is None or end < 0:
                end = consumer.highwater(owned.tp)
            if end is None:
                return  # no fetch response for it yet
            position = await consumer.position(owned.tp)
        except (AssertionError, KafkaError):  # no longer assigned (a rebalance under way)
            return
        queued = len(owned.fetched)  # taken from the consumer, not processed yet
        metrics.set_consumer_lag(owned.processor.partition_id, end - position + queued)

    async def _ensure_job_topics(self, owned: _Owned, batch: Batch) -> None:
        """Create the job topics of `batch` not known yet; raises CommandsFailed for the
        commands that published to a topic that cannot be created or differs from its spec."""
        new = {
            name: published
            for name, published in batch.job_topics.items()
            if name not in self._known_job_topics
        }
        if not new:
            return
        specs = [self.topics.job_topic(job_type, tenant) for job_type, tenant, _ in new.values()]
        problems = await asyncio.to_thread(self._ensure_each, specs)
        created = [spec.name for spec in specs if spec.name not in problems]
        if created:
            await _await_leaders(owned.producer, created)
        if problems:
            raise CommandsFailed(
                {
                    command_id: f"cannot publish a job of type {new[name][0][:60]!r}: {problem}"
                    for name, problem in problems.items()
                    for command_id in new[name][2]
                }
            )

    def _ensure_each(self, specs: list[TopicSpec]) -> dict[str, str]:
        """Ensure each of `specs` on its own; the problems by topic name."""
        config = dict(self.settings.client_config)
        problems = {}
        for spec in specs:
            try:
                [report] = ensure_topics(config, [spec])
            except TopicError as error:
                problems[spec.name] = str(error)
                continue
            if report.partitions_differ:
                problems[spec.name] = report.describe()
                continue
            if report.outcome == "mismatch":
                # Usable (e.g. a job topic of an older version, deleted by age instead of
                # compacted); the operator is told how to match it (docs/operations.md).
                log.warning("job topic differs, used as it is: %s", report.describe())
            self._known_job_topics.add(spec.name)
        return problems

    async def _commit(self, owned: _Owned, batch: Batch, next_offset: int | None) -> None:
        store = owned.processor.store
        changes = store.take_changes()
        producer = owned.producer
        partition = owned.tp.partition
        await producer.begin_transaction()
        batches = TransactionBatches(producer)
        for record in batch.records:
            await batches.add(
                record.topic, record.partition, record.key, record.value, record.headers
            )
        if next_offset is not None:
            # The consumed offset rides in the changelog, not in the group's offsets
            # (TxnOffsetCommit): two round trips fewer on every commit's way.
            changes.append(store.consumed_change(next_offset))
        for key, value in changes:
            await batches.add(self._changelog, partition, key, value)
        await batches.send()
        await producer.commit_transaction()
        store.apply(changes, await batches.next_offset(self._changelog, partition))
        if next_offset is not None:
            self._group_offsets.tell(owned.tp, next_offset)

    def _ensure(self, specs: Any) -> None:
        """The topics every engine needs; one that differs from its spec stops the engine
        (TopicError, one line naming the topic and the flag that fixes it)."""
        config = dict(self.settings.client_config)
        reports = ensure_topics(config, list(specs))
        mismatches = [report.describe() for report in reports if report.outcome == "mismatch"]
        if mismatches:
            raise TopicError("; ".join(mismatches))

    async def _acquire(self, assigned: set[TopicPartition]) -> None:
        consumer = self._consumer
        assert consumer is not None
        for tp in sorted(assigned):
            # A broker failing during the takeover (the changelog's leader, the transaction
            # coordinator) must not leave the partition assigned here but unprocessed until
            # the next rebalance: try again while it is still ours.
            while tp.partition + 1 not in self._owned and tp in consumer.assignment():
                try:
                    await self._acquire_one(consumer, tp)
                except KafkaError as error:
                    log.warning("taking partition %d over failed: %r", tp.partition + 1, error)
                    await asyncio.sleep(1)

    async def _acquire_one(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        partition_id = tp.partition + 1
        producer: AIOKafkaProducer | None = None
        store: RocksKeyValueStore | None = None
        try:
            producer = AIOKafkaProducer(
                transactional_id=f"{self.topics.prefix}engine-{partition_id}",
                enable_idempotence=True,
                acks="all",
                linger_ms=0,
                max_request_size=max(self.settings.max_record_bytes * 2, 1 << 20),
                # One transaction sends thousands of records to a few partitions; the sender
                # keeps one batch per partition in flight, so 16 KB batches (the default)
                # meant hundreds of round trips per commit.
                max_batch_size=_BATCH_BYTES,
                retry_backoff_ms=_RETRY_BACKOFF_MS,
                **self._options,
            )
            await producer.start()  # fences the previous owner, aborting its transaction
            store = RocksKeyValueStore(self._store_path(partition_id))
            await restore(store, self._changelog, tp.partition, self._options)
            processor = PartitionProcessor(
                partition_id,
                self.topics.partitions,
                store,
                self.topics,
                self.settings.max_record_bytes,
                self._verifier,
                self._signer,
            )
            # The changelog's offset; the group's for a database an engine before it wrote.
            committed = store.consumed_offset
            if committed is None:
                committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        except BaseException:  # a failed or cancelled takeover leaves nothing open
            if store is not None:
                store.close()
            if producer is not None:
                await producer.stop()
            raise
        if self.metrics is not None:
            self.metrics.records.set_incidents_open(
                partition_id, processor.engine.state.readers.incidents.count()
            )
        self._owned[partition_id] = _Owned(processor, producer, tp)
        log.info("processing partition %d from offset %s", partition_id, committed or 0)

    async def _release(self, owned: list[_Owned]) -> None:
        for entry in owned:
            async with entry.lock:
                await self._close(entry)
        # What they processed, in the group too before another engine is assigned them.
        await self._group_offsets.flush()

    async def _close(self, owned: _Owned) -> None:
        if owned.closed:
            return
        owned.closed = True
        self._owned.pop(owned.processor.partition_id, None)
        if self.metrics is not None:
            self.metrics.forget_partition(owned.processor.partition_id)
        try:
            await owned.producer.stop()
        finally:
            owned.processor.store.close()
        log.info("released partition %d", owned.processor.partition_id)

    def _store_path(self, partition_id: int) -> Path:
        return self.settings.data_dir / self.topics.prefix.rstrip(".") / f"partition-{partition_id}"


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        runtime = self._runtime
        await runtime._release([o for o in list(runtime._owned.values()) if o.tp in revoked])

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._runtime._acquire(assigned)


async def _abort(producer: AIOKafkaProducer) -> bool:
    """Abort the open transaction; False when the producer cannot go on (a fatal state)."""
    try:
        await producer.abort_transaction()
    except KafkaError as error:
        log.warning("abort failed: %r", error)
    except Exception as error:  # aiokafka's fatal transaction state raises AssertionError
        log.warning("abort failed, the producer cannot go on: %r", error)
        return False
    return True


async def _await_topic(consumer: AIOKafkaConsumer, topic: str, partitions: int) -> None:
    """Wait until the consumer's metadata has every partition of `topic` with a leader.

    A topic created a moment ago (by this engine, another one or `topics create`) may not be
    known yet to the broker that answers the consumer's first metadata request; subscribing
    then, the group's assignment would leave the topic out until the next refresh (#10 item
    17: five minutes of serving nothing). aiokafka's consumer has no public call for this:
    its client is the producer's `client`."""
    client = consumer._client
    client.add_topic(topic)
    cluster = client.cluster
    for _ in range(600):
        await client.force_metadata_update()
        found = cluster.partitions_for_topic(topic) or set()
        leaders = [cluster.leader_for_partition(TopicPartition(topic, p)) for p in found]
        if len(found) == partitions and all(
            leader is not None and leader >= 0 for leader in leaders
        ):
            return
        await asyncio.sleep(0.1)
    log.warning("no metadata for %s after 60 s; subscribing anyway", topic)


async def _await_leaders(producer: AIOKafkaProducer, names: list[str]) -> None:
    """Wait until every partition of the just-created topics `names` takes writes at its
    leader, before the batch adds them to its transaction.

    A send to a partition without a leader in the producer's metadata waits for a metadata
    refresh. A leader in the metadata is not enough either: a broker (KRaft) publishes a new
    topic to the metadata it answers with before its replica manager has made itself the
    partition's leader, and a produce in between is answered NotLeaderForPartition. Under
    load that window is wide, and a transactional first produce that met it stood the
    partition still for aiokafka's request timeout (40 s, docs/kafka-runtime.md, Known
    limits). ListOffsets goes through the same leader check on the broker as Produce: once
    every leader answers it without an error, the first produce is taken."""
    client = producer.client
    cluster = client.cluster
    for name in names:
        # Metadata requests name only the topics the client tracks: an untracked topic never
        # shows up, however often the metadata is updated.
        client.add_topic(name)
    for _ in range(100):
        await client.force_metadata_update()
        by_leader = _partitions_by_leader(cluster, names)
        if by_leader is not None and await _leaders_take_writes(client, by_leader):
            return
        await asyncio.sleep(0.1)
    log.warning("no leader yet for %s; sending anyway", ", ".join(names))


def _partitions_by_leader(cluster: Any, names: list[str]) -> dict[int, list[TopicPartition]] | None:
    """The partitions of `names` by their leader's node id; None while one has no leader."""
    by_leader: dict[int, list[TopicPartition]] = {}
    for name in names:
        partitions = cluster.partitions_for_topic(name)
        if not partitions:
            return None
        for partition in sorted(partitions):
            tp = TopicPartition(name, partition)
            leader = cluster.leader_for_partition(tp)
            if leader is None or leader < 0:
                return None
            by_leader.setdefault(leader, []).append(tp)
    return by_leader


async def _leaders_take_writes(client: Any, by_leader: dict[int, list[TopicPartition]]) -> bool:
    """Whether every leader answers ListOffsets (the latest offset) for its partitions
    without an error: it is their leader now, and reachable."""
    for node_id, tps in by_leader.items():
        topics: dict[str, list[tuple[int, int]]] = {}
        for tp in tps:
            topics.setdefault(tp.topic, []).append((tp.partition, -1))
        try:
            response = await client.send(node_id, OffsetRequest(-1, 0, list(topics.items())))
        except KafkaError as error:
            log.debug("leader %s not ready for %s: %r", node_id, tps, error)
            return False
        for topic, partitions in response.topics:
            for partition, error_code, *_ in partitions:
                if error_code != 0:
                    log.info(
                        "%s-%d not writable at its leader %s yet: %s",
                        topic,
                        partition,
                        node_id,
                        Errors.for_code(error_code).__name__,
                    )
                    return False
    return True
