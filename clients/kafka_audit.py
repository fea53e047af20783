"""Reading the audit log `<p>events`: every partition from the beginning up to its end offset
at the time of the call (read_committed), merged oldest first by timestamp, then partition,
then position — within a partition that is the log's own order."""

from __future__ import annotations

import json
import time
import uuid
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
