"""Commands distributed to other partitions and not yet acknowledged (at-least-once: the
runtime re-sends what is still pending here)."""

from __future__ import annotations

from typing import Any

from processors.engine.kv_store import KeyValueStore, pack, unpack_int

_PENDING = "distributions_pending"


class DistributionReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def pending_partitions(self, distribution_key: int) -> list[int]:
        return [unpack_int(k, 1) for k, _ in self._store.iterate(_PENDING, pack(distribution_key))]

    def pending(self) -> list[tuple[int, int, dict[str, Any]]]:
        """(distribution key, partition, command JSON) of every unacknowledged distribution."""
        return [(unpack_int(k, 0), unpack_int(k, 1), v) for k, v in self._store.iterate(_PENDING)]


class DistributionState(DistributionReader):
    def put(self, distribution_key: int, partition_id: int, command: dict[str, Any]) -> None:
        self._store.put(_PENDING, pack(distribution_key, partition_id), command)

    def acknowledge(self, distribution_key: int, partition_id: int) -> None:
        self._store.delete(_PENDING, pack(distribution_key, partition_id))
