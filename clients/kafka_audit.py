"""Reading the audit log `<p>events`: every partition from the beginning up to its end offset
at the time of the call (read_committed), merged oldest first by timestamp, then partition,
then position — within a partition that is the log's own order. `AuditLogTail` follows it
from its end instead."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient

from broker.kafka_config import ClientConfig
from clients.errors import RequestTimeoutError
from clients.kafka_offsets import KafkaReadError, ReadProgress, watermarks

_POLL_SECONDS: Final = 0.2
_READ_SECONDS: Final = 0.02
_SETTLE_SECONDS: Final = 0.05
# Reads here want the end of a partition now: do not let the broker hold a fetch for data.
_FETCH_WAIT_MS: Final = 10


def read_audit_log(
    config: ClientConfig, topic: str, *, timeout: float = 60.0
) -> list[dict[str, Any]]:
    consumer = Consumer(
        {
            **config,
            "group.id": f"honeyflow.audit.{uuid.uuid4().hex[:12]}",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
            "fetch.wait.max.ms": _FETCH_WAIT_MS,
        }
    )
    try:
        return _read(consumer, topic, timeout)
    finally:
        consumer.close()


def _read(consumer: Consumer, topic: str, timeout: float) -> list[dict[str, Any]]:
    metadata = consumer.list_topics(topic, timeout=timeout)
    partitions = sorted(metadata.topics[topic].partitions) if topic in metadata.topics else []
    ends: dict[int, int] = {}
    starts = []
    for partition in partitions:
        low, high = watermarks(consumer, topic, partition, timeout)
        if high > low:
            ends[partition] = high
            starts.append(TopicPartition(topic, partition, low))
    if not ends:
        return []
    consumer.assign(starts)
    progress = ReadProgress()
    records: list[dict[str, Any]] = []
    stop = time.monotonic() + timeout
    while not progress.reached(ends):
        if time.monotonic() > stop:
            raise RequestTimeoutError(f"could not read {topic} to its end within {timeout} s")
        # consume() waits its whole timeout unless it fills the batch: keep it short, the
        # loop ends at the end offsets.
        for message in consumer.consume(500, _READ_SECONDS):
            if progress.saw(message) and (message.offset() or 0) < ends[message.partition() or 0]:
                records.append(json.loads(message.value() or b"null"))
    # Kafka offsets are per partition; the record's own position and timestamp order them.
    records.sort(key=lambda r: (r["timestamp"], r["partitionId"], r["position"]))
    return records


class AuditLogTail:
    """Follows the audit log from its end when created: `poll()` returns the records written
    since, per partition in order (what `kcat -o end` shows, decoded)."""

    def __init__(
        self,
        config: ClientConfig,
        topic: str,
        *,
        start: dict[int, int] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._consumer = Consumer(
            {
                **config,
                "group.id": f"honeyflow.audit.{uuid.uuid4().hex[:12]}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
            }
        )
        metadata = self._consumer.list_topics(topic, timeout=timeout)
        partitions = sorted(metadata.topics[topic].partitions) if topic in metadata.topics else []
        self._assigned = [
            TopicPartition(
                topic,
                p,
                start[p] if start is not None else watermarks(self._consumer, topic, p, timeout)[1],
            )
            for p in partitions
        ]
        self._consumer.assign(self._assigned)

    def assignment(self) -> list[TopicPartition]:
        """Where the tail started, per partition."""
        return list(self._assigned)

    def poll(self, timeout: float) -> list[dict[str, Any]]:
        return [
            json.loads(message.value() or b"null")
            for message in self._consumer.consume(1000, timeout)
            if message.error() is None
        ]

    def close(self) -> None:
        self._consumer.close()


class ProcessedWatch:
    """Waits until the engines have processed every command on `commands_topic` — those
    written before the call and those that processing them sends on to other partitions
    (deployment distribution, message subscriptions). The engines commit the group's offset
    of a command only after the transaction that holds its outputs, so afterwards the audit
    log holds all of them.

    Settled means: the group's committed offset of every partition is at its end, or only
    transaction markers lie between them, and the ends did not move while checking. Keeps
    its connections between calls; thread-safe; `close()` once."""

    def __init__(self, config: ClientConfig, commands_topic: str, engine_group: str) -> None:
        self._topic = commands_topic
        self._group = engine_group
        self._lock = threading.Lock()
        self._admin = AdminClient(dict(config))
        self._probe = Consumer(
            {
                **config,
                "group.id": f"honeyflow.audit.{uuid.uuid4().hex[:12]}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "enable.partition.eof": True,
                "fetch.wait.max.ms": _FETCH_WAIT_MS,
            }
        )
        self._partitions: list[int] | None = None

    def wait(self, timeout: float) -> None:
        """Until settled; raises RequestTimeoutError after `timeout` seconds."""
        with self._lock:
            stop = time.monotonic() + timeout
            topic, probe = self._topic, self._probe
            if self._partitions is None:
                found = probe.list_topics(topic, timeout=timeout).topics.get(topic)
                self._partitions = sorted(found.partitions) if found is not None else []
            partitions = self._partitions
            while True:
                ends = {p: watermarks(probe, topic, p, timeout)[1] for p in partitions}
                committed = _committed(self._admin, self._group, topic, partitions, timeout)
                behind = {p: committed[p] for p in partitions if committed[p] < ends[p]}
                if not _holds_commands(probe, topic, behind, ends, stop) and ends == {
                    p: watermarks(probe, topic, p, timeout)[1] for p in partitions
                }:
                    return
                if time.monotonic() > stop:
                    waiting = ", ".join(str(p + 1) for p in sorted(behind))
                    raise RequestTimeoutError(
                        f"the engines did not process the commands of partitions {waiting}"
                        f" within {timeout} s (are they running?)"
                    )
                time.sleep(_SETTLE_SECONDS)

    def close(self) -> None:
        self._probe.close()


def _committed(
    admin: AdminClient, group: str, topic: str, partitions: list[int], timeout: float
) -> dict[int, int]:
    """The group's committed offset per partition (0 where it committed none)."""
    request = ConsumerGroupTopicPartitions(group, [TopicPartition(topic, p) for p in partitions])
    [future] = admin.list_consumer_group_offsets([request], request_timeout=timeout).values()
    try:
        result = future.result(timeout=timeout)
    except KafkaException as error:
        raise KafkaReadError(f"cannot read the offsets of group {group}: {error}") from None
    offsets = {p: 0 for p in partitions}
    for tp in result.topic_partitions or []:
        if tp.topic == topic:
            offsets[tp.partition] = max(tp.offset, 0)  # negative: nothing committed yet
    return offsets


def _holds_commands(
    consumer: Consumer, topic: str, starts: dict[int, int], ends: dict[int, int], stop: float
) -> bool:
    """Whether any partition holds a committed record in [starts[p], ends[p]) — read, since
    transaction markers take offsets too (the engines' own cross-partition commands end in
    one, so a committed offset short of the end is normal)."""
    if not starts:
        return False
    consumer.assign([TopicPartition(topic, p, offset) for p, offset in starts.items()])
    try:
        progress = ReadProgress()
        for partition, offset in starts.items():
            progress.rewind(partition, offset)
        while not progress.reached({p: ends[p] for p in starts}):
            if time.monotonic() > stop:
                return True  # could not tell: treat as unsettled
            message = consumer.poll(_POLL_SECONDS)  # returns at the first record or end
            if (
                message is not None
                and progress.saw(message)
                and (message.offset() or 0) < ends[message.partition() or 0]
            ):
                return True
        return False
    finally:
        consumer.unassign()


def audit_log_ends(config: ClientConfig, topic: str) -> dict[int, int]:
    """The end offset of every partition of the audit log now."""
    tail = AuditLogTail(config, topic)
    try:
        return {tp.partition: tp.offset for tp in tail.assignment()}
    finally:
        tail.close()


def await_on_every_partition(
    config: ClientConfig,
    topic: str,
    since: dict[int, int],
    matches: Callable[[dict[str, Any]], bool],
    timeout: float,
) -> None:
    """Until every partition has written, after `since`, an event that `matches` (a deployment
    reaches the other partitions by an asynchronous, acknowledged distribution)."""
    tail = AuditLogTail(config, topic, start=since)
    missing = set(since)
    stop = time.monotonic() + timeout
    try:
        while missing:
            if time.monotonic() > stop:
                waiting = ", ".join(str(p + 1) for p in sorted(missing))
                raise RequestTimeoutError(
                    f"partitions {waiting} did not confirm within {timeout} s"
                )
            for record in tail.poll(0.1):
                if matches(record):
                    missing.discard(record["partitionId"] - 1)
    finally:
        tail.close()
