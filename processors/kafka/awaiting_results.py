"""Create-with-result requests kept in the partition's state, so that the answer is sent when
the instance completes even if another processor has taken the partition over by then.

The core keeps its awaiting requests in a mapping it is given; this one lives in the engine's
key-value store (so it is rolled back, committed and replicated with the command's other
changes) and remembers the request's Kafka headers (its reply partition too) next to the
core's int request id.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import NamedTuple

from processors.engine.context import AwaitingResult
from processors.engine.kv_store import KeyValueStore, last_int, pack

_CF = "kafka_awaiting_results"


class RequestHeaders(NamedTuple):
    """What a request's Kafka headers say about where its answer goes."""

    request_id: str
    """honeyflow-request-id"""
    client_id: str
    """honeyflow-client-id"""
    reply_partition: int | None = None
    """honeyflow-reply-partition: the Kafka partition of the responses topic to answer on;
    None answers on the command's partition (requests from before routed replies)."""


_UNKNOWN = RequestHeaders("", "")


class StoredAwaitingResults(MutableMapping[int, AwaitingResult]):
    """Process instance key → the request awaiting its result."""

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        self.current: dict[int, RequestHeaders] = {}
        """Headers of the requests being processed now, by the core's request id."""
        self.taken: dict[int, RequestHeaders] = {}
        """Headers of awaiting requests the core took (answered) in this batch."""

    def __getitem__(self, instance_key: int) -> AwaitingResult:
        row = self._store.get(_CF, pack(instance_key))
        if row is None:
            raise KeyError(instance_key)
        return AwaitingResult(int(row[0]), tuple(row[1]))

    def __setitem__(self, instance_key: int, awaiting: AwaitingResult) -> None:
        request = self.current.get(awaiting.request_id, _UNKNOWN)
        reply = -1 if request.reply_partition is None else request.reply_partition
        row = [
            awaiting.request_id,
            list(awaiting.fetch_variables),
            request.request_id,
            request.client_id,
            reply,
        ]
        self._store.put(_CF, pack(instance_key), row)

    def __delitem__(self, instance_key: int) -> None:
        row = self._store.get(_CF, pack(instance_key))
        if row is None:
            raise KeyError(instance_key)
        # Rows written before routed replies have no reply partition: answer as then.
        reply = int(row[4]) if len(row) > 4 and int(row[4]) >= 0 else None
        self.taken[int(row[0])] = RequestHeaders(str(row[2]), str(row[3]), reply)
        self._store.delete(_CF, pack(instance_key))

    def pop(self, instance_key: int, default: object = None) -> object:  # type: ignore[override]
        try:
            value = self[instance_key]
        except KeyError:
            return default
        del self[instance_key]
        return value

    def __iter__(self) -> Iterator[int]:
        return (last_int(key) for key, _ in self._store.iterate(_CF))

    def __len__(self) -> int:
        return sum(1 for _ in self._store.iterate(_CF))
