"""The state changelog: a compacted topic with one partition per engine partition, written in
the same transaction as the outputs it belongs to, and read back into RocksDB when a processor
takes a partition over (from the offset its local database has reached, or from the start).
"""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from broker.topics import TopicSettings, TopicSpec
from processors.kafka.rocks_store import RocksKeyValueStore

log = logging.getLogger(__name__)


def changelog_spec(topics: TopicSettings) -> TopicSpec:
    return TopicSpec(
        name=topics.prefix + "engine-state",
        partitions=topics.partitions,
        replication_factor=topics.replication_factor,
        configs={
            "cleanup.policy": "compact",
            "min.insync.replicas": str(topics.min_insync_replicas),
        },
    )


def dead_letter_spec(topics: TopicSettings) -> TopicSpec:
    return TopicSpec(
        name=topics.commands + ".dlq",
        partitions=topics.partitions,
        replication_factor=topics.replication_factor,
        configs={
            "cleanup.policy": "delete",
            "retention.ms": str(topics.commands_retention_ms),
            "min.insync.replicas": str(topics.min_insync_replicas),
        },
    )


async def restore(
    store: RocksKeyValueStore, topic: str, kafka_partition: int, options: dict[str, Any]
) -> int:
    """Bring `store` up to the committed end of its changelog partition; returns the number
    of changelog records read. Must run after the partition's transactional producer has
    started, which aborts a previous owner's open transaction (else the end would wait)."""
    tp = TopicPartition(topic, kafka_partition)
    consumer = AIOKafkaConsumer(
        isolation_level="read_committed", enable_auto_commit=False, **options
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        end = (await consumer.end_offsets([tp]))[tp]
        start = store.changelog_offset
        if start > end:
            # The topic is younger than the database (it was deleted and created again).
            log.warning("changelog %s[%d] is behind local state; rebuilding", topic, tp.partition)
            store.clear()
            start = 0
        if start == end:
            return 0
        consumer.seek(tp, start)
        read = 0
        while (position := await consumer.position(tp)) < end:
            fetched = await consumer.getmany(tp, timeout_ms=1000, max_records=20_000)
            messages = fetched.get(tp, [])
            read += len(messages)
            store.apply(
                [(m.key, m.value) for m in messages if m.key is not None],
                await consumer.position(tp) if messages else position,
            )
        log.info("restored partition %d: %d changelog records", tp.partition + 1, read)
        return read
    finally:
        await consumer.stop()
