"""The records of one transaction, appended straight into one Kafka record batch per topic
partition (aiokafka's `create_batch` / `send_batch`) instead of one `send` per record: a commit
carries thousands of records, and the per-record path (a future, an accumulator lookup, a
coroutine per record) cost more than building them."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer

Headers = tuple[tuple[str, bytes], ...]


class TransactionBatches:
    """Use inside an open transaction: `add` every record, then `send` before committing."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self._open: dict[tuple[str, int], Any] = {}
        self._sent: dict[tuple[str, int], tuple[asyncio.Future[Any], int]] = {}

    async def add(
        self,
        topic: str,
        partition: int,
        key: bytes | None,
        value: bytes | None,
        headers: Headers = (),
    ) -> None:
        where = (topic, partition)
        batch = self._open.get(where)
        if batch is None:
            batch = self._open[where] = self._producer.create_batch()
        if batch.append(timestamp=None, key=key, value=value, headers=list(headers)) is None:
            # Full (the first record always fits, however large): send it, start the next.
            await self._send(where, batch)
            batch = self._open[where] = self._producer.create_batch()
            batch.append(timestamp=None, key=key, value=value, headers=list(headers))

    async def send(self) -> None:
        """Hand every open batch to the producer (delivered by `commit_transaction`)."""
        for where, batch in self._open.items():
            await self._send(where, batch)
        self._open.clear()

    async def next_offset(self, topic: str, partition: int) -> int | None:
        """After the commit: the offset after the last record sent to the partition."""
        sent = self._sent.get((topic, partition))
        if sent is None:
            return None
        future, count = sent
        return int((await future).offset) + count

    async def _send(self, where: tuple[str, int], batch: Any) -> None:
        batch.close()
        topic, partition = where
        future = await self._producer.send_batch(batch, topic, partition=partition)
        self._sent[where] = (future, batch.record_count())
