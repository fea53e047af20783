"""The engine group's committed offsets, for those who watch them (`honeyflow` clients
waiting until the engines have processed what was sent, lag dashboards): committed after
each transaction, outside it, by one background task.

They are not what a takeover resumes from: that is the offset in the changelog, committed
in the same transaction as the outputs (docs/kafka-runtime.md, Exactly once). So a commit
here may lag, fail during a rebalance or be lost with the process without harm; the next
one catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)

_COMMIT_SECONDS = 5.0
"""Longest wait for one commit (a broker down must not hold up a rebalance or a stop)."""
_PAUSE_SECONDS = 0.05
"""Between two background commits: the offsets of the transactions meanwhile go together."""


class GroupOffsets:
    def __init__(self, consumer: AIOKafkaConsumer | None) -> None:
        self._consumer = consumer
        self._latest: dict[TopicPartition, int] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def tell(self, tp: TopicPartition, next_offset: int) -> None:
        """The commands of `tp` before `next_offset` are processed (and committed)."""
        self._latest[tp] = next_offset
        self._changed.set()
        if self._task is None and self._consumer is not None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def flush(self) -> None:
        """Commit what was told and not committed yet, now."""
        await self._commit()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._commit()

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            await self._commit()
            await asyncio.sleep(_PAUSE_SECONDS)

    async def _commit(self) -> None:
        consumer = self._consumer
        self._changed.clear()
        if consumer is None or not self._latest:
            return
        assigned = consumer.assignment()
        offsets = {tp: offset for tp, offset in self._latest.items() if tp in assigned}
        self._latest = {}
        if not offsets:
            return
        try:
            await asyncio.wait_for(consumer.commit(offsets), _COMMIT_SECONDS)
        except (KafkaError, AssertionError, TimeoutError) as error:  # the next one catches up
            log.debug("group offsets %s not committed: %r", offsets, error)
