"""The partition's counters: the last log position and the last key handed out. Both are
derived from the log itself, so replay restores them by observing every record."""

from __future__ import annotations

from broker.protocol import encode_key
from broker.protocol.keys import MAX_COUNTER, PARTITION_BITS
from processors.engine.kv_store import KeyValueStore

_CF = "meta"
_POSITION = b"position"
_KEY = b"key"


class MetaState:
    def __init__(self, store: KeyValueStore, partition_id: int) -> None:
        self._store = store
        self.partition_id = partition_id
        self._key_base = encode_key(partition_id, 0)
        """`encode_key(partition_id, counter)` is `_key_base | counter` (checked once)."""
        # The key counter while a command batch is processed, stored by `flush` (with the
        # element instances, before the commit) instead of once per key handed out. A failed
        # command puts back the counter it started with (`key_counter`, `restore_key_counter`).
        self._key_counter: int | None = None

    @property
    def last_position(self) -> int:
        value = self._store.get(_CF, _POSITION)
        return 0 if value is None else int(value)

    def set_last_position(self, position: int, previous: int | None = None) -> None:
        """Store `position`; `previous`, when given, is the stored one (saves reading it)."""
        if position != (self.last_position if previous is None else previous):
            self._store.put(_CF, _POSITION, position)

    def next_position(self) -> int:
        position = self.last_position + 1
        self._store.put(_CF, _POSITION, position)
        return position

    def next_key(self) -> int:
        counter = self._key_counter
        if counter is None:
            stored = self._store.get(_CF, _KEY)
            counter = 0 if stored is None else int(stored)
        counter += 1
        if counter > MAX_COUNTER:
            raise OverflowError(f"key space of partition {self.partition_id} is exhausted")
        self._key_counter = counter
        return self._key_base | counter

    @property
    def key_counter(self) -> int | None:
        """The counter not stored yet (None: the stored one is current)."""
        return self._key_counter

    def restore_key_counter(self, counter: int | None) -> None:
        self._key_counter = counter

    def flush(self) -> None:
        if self._key_counter is not None:
            self._store.put(_CF, _KEY, self._key_counter)
            self._key_counter = None

    def discard_pending(self) -> None:
        self._key_counter = None

    def observe(self, position: int, key: int) -> None:
        """Replay: move past a record written earlier."""
        if position > self.last_position:
            self._store.put(_CF, _POSITION, position)
        if key > 0 and key >> PARTITION_BITS == self.partition_id:
            counter = key & MAX_COUNTER
            current = self._store.get(_CF, _KEY)
            if current is None or counter > int(current):
                self._store.put(_CF, _KEY, counter)
