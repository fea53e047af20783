"""Reading the audit log `<p>events`: every partition from the beginning up to its end offset
at the time of the call (read_committed), merged oldest first by timestamp, then partition,
then position — within a partition that is the log's own order. `AuditLogTail` follows it
from its end instead."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

from confluent_kafka import Consumer, TopicPartition

from broker.kafka_config import ClientConfig
from clients.errors import RequestTimeoutError
from clients.kafka_offsets import ReadProgress, watermarks

_POLL_SECONDS: Final = 0.2


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
        for message in consumer.consume(500, _POLL_SECONDS):
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
