"""Commands distributed to other partitions and not yet acknowledged (at-least-once: the due
date checker re-sends what is still pending here once its resend time has passed)."""

from __future__ import annotations

from typing import Any, Final

from processors.engine.kv_store import KeyValueStore, pack, unpack_int

DISTRIBUTION_RESEND_AFTER_MS: Final = 10_000
"""A distributed command not acknowledged within this time is sent again."""

_PENDING = "distributions_pending"
_RESEND = "distributions_by_resend_time"


class DistributionReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def pending_partitions(self, distribution_key: int) -> list[int]:
        return [unpack_int(k, 1) for k, _ in self._store.iterate(_PENDING, pack(distribution_key))]

    def pending(self) -> list[tuple[int, int, dict[str, Any]]]:
        """(distribution key, partition, command JSON) of every unacknowledged distribution."""
        return [(unpack_int(k, 0), unpack_int(k, 1), v) for k, v in self._store.iterate(_PENDING)]

    def command(self, distribution_key: int, partition_id: int) -> dict[str, Any] | None:
        """The distributed command as JSON (valueType, intent, value), while pending."""
        raw = self._store.get(_PENDING, pack(distribution_key, partition_id))
        return None if raw is None else dict(raw)

    def to_resend(self, now_ms: int) -> list[int]:
        """Keys of distributions with a partition whose resend time has passed, in order."""
        keys: list[int] = []
        for index_key, _ in self._store.iterate(_RESEND):
            if unpack_int(index_key, 0) > now_ms:
                break
            key = unpack_int(index_key, 1)
            if key not in keys:
                keys.append(key)
        return keys


class DistributionState(DistributionReader):
    def put(
        self, distribution_key: int, partition_id: int, command: dict[str, Any], resend_at: int
    ) -> None:
        self.acknowledge(distribution_key, partition_id)
        self._store.put(
            _PENDING, pack(distribution_key, partition_id), {**command, "resendAt": resend_at}
        )
        self._store.put(_RESEND, pack(resend_at, distribution_key, partition_id), 1)

    def acknowledge(self, distribution_key: int, partition_id: int) -> None:
        raw = self._store.get(_PENDING, pack(distribution_key, partition_id))
        if raw is None:
            return
        self._store.delete(_PENDING, pack(distribution_key, partition_id))
        self._store.delete(_RESEND, pack(raw["resendAt"], distribution_key, partition_id))
