"""The exporter process: reads `<prefix>events` (read_committed) from the offsets kept in
the store, folds each poll's records into one `ProjectionBatch` and commits it with the new
positions in one store transaction; about once a second it records the log's end offsets,
so `honeyflow status` and the metrics can tell how far behind the log the store is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from broker.kafka_config import ClientConfig
from broker.protocol import RecordFormatError, decode_record
from processors.exporter.errors import VisibilityError
from processors.exporter.projection import (
    ProjectionBatch,
    load_offsets,
    load_positions,
    write_log_ends,
)
from processors.exporter.schema import create_schema
from processors.exporter.store import Store, open_store
from processors.metrics import ExporterMetrics

log = logging.getLogger(__name__)

_METADATA_TIMEOUT: Final = 10.0


@dataclass(frozen=True)
class ExporterSettings:
    client_config: ClientConfig
    topic: str
    """The audit log, `<prefix>events`."""
    store_url: str | None = None
    """The query store; None for the default SQLite file."""
    max_batch: int = 5000
    """Most records written in one store transaction."""
    poll_seconds: float = 0.2
    """Longest wait for new records before an idle round."""
    ends_interval_seconds: float = 1.0
    """How often the log's end offsets (the lag) are read and recorded."""


def _now_ms() -> int:
    return int(time.time() * 1000)


class Exporter:
    """One exporter per store: it assigns itself every partition of the topic."""

    def __init__(self, settings: ExporterSettings, metrics: ExporterMetrics | None = None):
        self.settings = settings
        self.metrics = metrics
        self.store: Store = open_store(settings.store_url)
        create_schema(self.store, settings.topic)
        with self.store.transaction() as tx:
            self.positions = load_positions(tx)
            self._resume = load_offsets(tx)
        self._consumer = Consumer(
            {
                **settings.client_config,
                "group.id": f"{settings.topic}.exporter",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "auto.offset.reset": "earliest",
            }
        )
        self._partitions: list[int] = []  # Kafka partitions (Honeyflow partition − 1)
        self._ends: dict[int, int] = {}
        self._ends_read_at = 0.0

    def run(self, stop: threading.Event, on_batch: Callable[[int], None] | None = None) -> None:
        """Export until `stop` is set; `on_batch(applied)` is called after each commit."""
        self.wait_for_topic(stop)
        while not stop.is_set():
            applied = self.step()
            if on_batch is not None and applied:
                on_batch(applied)

    def wait_for_topic(self, stop: threading.Event) -> None:
        topic = self.settings.topic
        while not stop.is_set():
            try:
                metadata = self._consumer.list_topics(topic, timeout=_METADATA_TIMEOUT)
            except KafkaException as e:
                raise VisibilityError(f"cannot read the metadata of {topic}: {e}") from e
            found = metadata.topics.get(topic)
            if found is not None and found.error is None and found.partitions:
                self._assign(sorted(found.partitions))
                return
            log.warning("topic %s does not exist yet; waiting for it", topic)
            stop.wait(1.0)

    def _assign(self, partitions: list[int]) -> None:
        self._partitions = partitions
        assignment = []
        for partition in partitions:
            offset = self._resume.get(partition + 1)
            start = offset if offset is not None and offset >= 0 else OFFSET_BEGINNING
            assignment.append(TopicPartition(self.settings.topic, partition, start))
        self._consumer.assign(assignment)
        log.info(
            "exporting %s partitions %s into %s", self.settings.topic, partitions, self.store.url
        )

    def step(self) -> int:
        """One round: poll, apply what is new in one transaction, maybe record the log ends.
        Returns the number of records applied."""
        messages = self._consumer.consume(self.settings.max_batch, self.settings.poll_seconds)
        batch = ProjectionBatch(self.positions)
        for message in messages:
            if message.error() is not None:
                log.warning("consuming %s: %s", self.settings.topic, message.error())
                continue
            self._add(batch, message)
        refresh_ends = time.monotonic() - self._ends_read_at >= self.settings.ends_interval_seconds
        if not len(batch) and not refresh_ends:
            return 0
        ends = self._read_ends() if refresh_ends else None
        started = time.perf_counter()
        with self.store.transaction() as tx:
            now = _now_ms()
            batch.write(tx, now)
            if ends is not None:
                write_log_ends(tx, ends, now)
        self.positions = batch.positions
        self._report(batch, time.perf_counter() - started, ends)
        return len(batch)

    def _add(self, batch: ProjectionBatch, message: Any) -> None:
        try:
            record = decode_record(message.value())
        except RecordFormatError as e:
            # Not ours to fix here: the engine wrote it. Skip it, loudly, and go on.
            log.error(
                "skipping undecodable record at %s[%s]@%s: %s",
                message.topic(),
                message.partition(),
                message.offset(),
                e,
            )
            return
        if record.partition_id < 1:  # written by something other than the engine
            record = _with_partition(record, message.partition() + 1)
        offset = message.offset()
        end = max(self._ends.get(message.partition(), 0), offset + 1)
        batch.add(record, offset + 1, end)

    def _read_ends(self) -> dict[int, tuple[int, int]]:
        """Partition id → (resume offset, log end offset), read from the brokers now."""
        self._ends_read_at = time.monotonic()
        topic = self.settings.topic
        positions = self._consumer.position([TopicPartition(topic, p) for p in self._partitions])
        result = {}
        for tp in positions:
            high = self._end_offset(tp.partition)
            if high is None:
                continue
            self._ends[tp.partition] = high
            # Before the first message the position is unset: resume where we were told to.
            position = tp.offset if tp.offset >= 0 else self._resume.get(tp.partition + 1, 0)
            result[tp.partition + 1] = (max(position, 0), high)
        return result

    def _end_offset(self, partition: int) -> int | None:
        """The cached end offset of the last fetch response: asking the broker instead
        takes a round trip queued behind the fetches (~0.4 s a partition under load)."""
        tp = TopicPartition(self.settings.topic, partition)
        try:
            _, high = self._consumer.get_watermark_offsets(tp, cached=True)
            if high < 0:  # nothing fetched yet
                _, high = self._consumer.get_watermark_offsets(
                    tp, timeout=_METADATA_TIMEOUT, cached=False
                )
        except KafkaException as e:
            log.warning("cannot read the end of %s[%s]: %s", tp.topic, partition, e)
            return None
        return int(high)

    def _report(
        self, batch: ProjectionBatch, seconds: float, ends: dict[int, tuple[int, int]] | None
    ) -> None:
        metrics = self.metrics
        if metrics is None:
            return
        metrics.batch_seconds.observe(seconds)
        for partition, count in batch.applied.items():
            metrics.records.labels(str(partition)).inc(count)
        for event, count in batch.job_events.items():
            metrics.jobs.labels(event).inc(count)
        for partition, (position, end) in (ends or {}).items():
            metrics.lag.labels(str(partition)).set(max(end - position, 0))

    def close(self) -> None:
        try:
            self._consumer.close()
        finally:
            self.store.close()


def _with_partition(record: Any, partition_id: int) -> Any:
    import dataclasses

    return dataclasses.replace(record, partition_id=partition_id)
