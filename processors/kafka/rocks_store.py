"""The engine's `KeyValueStore` on one partition's RocksDB (rocksdict), changed only when the
partition's Kafka transaction commits.

Writes of the commands in flight live in an overlay (`_dirty`); reads and ordered iteration
merge it with RocksDB. `take_changes()` hands the overlay over as changelog entries; they
are written to RocksDB (with the changelog offset they end at) only after Kafka committed the
transaction, so the local database never holds state of an aborted transaction.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from rocksdict import Options, Rdict, ReadOptions, WriteBatch

try:  # optional at import: without it the stdlib's json encodes and decodes every value
    import orjson
except ImportError:  # pragma: no cover - orjson is a pinned dependency
    orjson = None  # type: ignore[assignment]

_SEPARATOR: Final = b"\x00"
# Sorts after every column family name (ASCII), so no family's prefix scan reaches it.
_OFFSET_KEY: Final = b"\xff\xffchangelog-offset"
# The offset of the commands partition to resume processing from: a changelog record written
# in the same transaction as the outputs of the commands before it (docs/kafka-runtime.md).
_CONSUMED_KEY: Final = b"\xff\xffcommands-offset"
_META_KEYS: Final = (_OFFSET_KEY, _CONSUMED_KEY)
_DELETED: Final = object()
KEPT_INFO_LOGS: Final = 5
"""RocksDB's info logs kept per partition (LOG and LOG.old.*): every open starts a new one,
and an engine whose partitions are handed over again and again reopens its stores each
time (RocksDB's default keeps 1,000)."""
_ABSENT: Final = object()

Change = tuple[bytes, bytes | None]
"""(stored key, JSON value or None for a deletion): one changelog record."""


def stored_key(cf: str, key: bytes) -> bytes:
    return cf.encode("ascii") + _SEPARATOR + key


def _encode(value: Any) -> bytes:
    """A state value as compact UTF-8 JSON: orjson (several times faster than the stdlib);
    the stdlib where orjson refuses (ints beyond 64 bits, keys that are not strings). The bytes
    may differ from the stdlib's in a float's exponent form (`1e-7`, `1e-07`), never in the
    value read back (state is only ever read back by `json.loads`). Values come from records
    (no NaN: the codec refuses it)."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class RocksKeyValueStore:
    """One partition's state. Not thread-safe: one processing loop owns it."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        options = Options(raw_mode=True)
        options.create_if_missing(True)
        options.set_keep_log_file_num(KEPT_INFO_LOGS)
        self._db = Rdict(str(path), options)
        self._dirty: dict[bytes, Any] = {}
        # Per column family, the sorted keys in the overlay (deletions included).
        self._dirty_sorted: dict[str, list[bytes]] = {}
        self._undo: list[tuple[str, bytes, Any]] = []
        # Decoded values read from RocksDB; values are immutable, so sharing them is safe.
        self._cache: dict[bytes, Any] = {}
        # Per column family scanned whole (the due-date indexes): a stored key below which
        # every stored key of the family is deleted (None: the family has no stored key).
        # Whole-family scans seek there instead of stepping over the tombstones of every due
        # date already handled; `apply` lowers it when it writes a smaller key.
        self._floors: dict[str, bytes | None] = {}

    # -- KeyValueStore ---------------------------------------------------------------------

    def get(self, cf: str, key: bytes) -> Any | None:
        full = stored_key(cf, key)
        value = self._dirty.get(full, _ABSENT)
        if value is _DELETED:
            return None
        if value is not _ABSENT:
            return value
        return self._read(full)

    def put(self, cf: str, key: bytes, value: Any) -> None:
        self._set(cf, key, value)

    def delete(self, cf: str, key: bytes) -> None:
        if self.get(cf, key) is not None:
            self._set(cf, key, _DELETED)

    def iterate(self, cf: str, prefix: bytes = b"") -> Iterator[tuple[bytes, Any]]:
        start = stored_key(cf, prefix)
        dirty_keys = self._dirty_slice(cf, prefix)
        stored = self._stored_keys(start) if prefix else self._stored_family(cf, start)
        for key in _merge(stored, dirty_keys):
            value = self.get(cf, key)
            if value is not None:
                yield key, value

    def savepoint(self) -> int:
        return len(self._undo)

    def rollback_to(self, savepoint: int) -> None:
        while len(self._undo) > savepoint:
            cf, key, previous = self._undo.pop()
            full = stored_key(cf, key)
            if previous is _ABSENT:
                del self._dirty[full]
                keys = self._dirty_sorted[cf]
                del keys[bisect.bisect_left(keys, key)]
            else:
                self._dirty[full] = previous

    def commit(self) -> None:
        self._undo.clear()

    def dump(self) -> dict[str, dict[bytes, Any]]:
        result: dict[str, dict[bytes, Any]] = {}
        families = {k.split(_SEPARATOR, 1)[0].decode() for k in self._all_stored_keys()}
        families.update(self._dirty_sorted)
        for cf in sorted(families):
            entries = dict(self.iterate(cf))
            if entries:
                result[cf] = entries
        return result

    # -- transaction boundary ---------------------------------------------------------------

    def take_changes(self) -> list[Change]:
        """The overlay as changelog entries (last value per key); the overlay stays readable
        until `apply` or `discard`."""
        self._undo.clear()
        return [
            (full, None if value is _DELETED else _encode(value))
            for full, value in self._dirty.items()
        ]

    def apply(self, changes: Iterable[Change], next_offset: int | None) -> None:
        """Write committed changes (and the changelog offset to resume restoring from)."""
        batch = WriteBatch(raw_mode=True)
        floors = self._floors
        for full, data in changes:
            self._cache.pop(full, None)
            if data is None:
                batch.delete(full)
            else:
                batch.put(full, data)
                if floors and full not in _META_KEYS:
                    self._lower_floor(full)
        if next_offset is not None:
            batch.put(_OFFSET_KEY, str(next_offset).encode())
        self._db.write(batch)
        self._dirty.clear()
        self._dirty_sorted.clear()

    def clear(self) -> None:
        """Delete everything (the changelog will be read from its start)."""
        batch = WriteBatch(raw_mode=True)
        for full in self._all_stored_keys():
            batch.delete(full)
        for meta in _META_KEYS:
            batch.delete(meta)
        self._db.write(batch)
        self._floors.clear()
        self.discard()

    def discard(self) -> None:
        """Forget the overlay (its transaction was aborted)."""
        self._dirty.clear()
        self._dirty_sorted.clear()
        self._undo.clear()
        self._cache.clear()

    @staticmethod
    def consumed_change(next_offset: int) -> Change:
        """The changelog record that says the commands before `next_offset` are processed;
        committed with their outputs, it is what a takeover resumes from."""
        return (_CONSUMED_KEY, str(next_offset).encode("ascii"))

    @property
    def consumed_offset(self) -> int | None:
        """The commands offset the changelog says to resume from (None: it says none)."""
        raw = self._db.get(_CONSUMED_KEY)
        return None if raw is None else int(raw)

    @property
    def changelog_offset(self) -> int:
        """The changelog offset restoring resumes from (0 for a new database)."""
        raw = self._db.get(_OFFSET_KEY)
        return 0 if raw is None else int(raw)

    def close(self) -> None:
        self._db.close()

    # -- internals --------------------------------------------------------------------------

    def _set(self, cf: str, key: bytes, value: Any) -> None:
        full = stored_key(cf, key)
        previous = self._dirty.get(full, _ABSENT)
        self._undo.append((cf, key, previous))
        if previous is _ABSENT:
            bisect.insort(self._dirty_sorted.setdefault(cf, []), key)
        self._dirty[full] = value

    def _read(self, full: bytes) -> Any | None:
        value = self._cache.get(full, _ABSENT)
        if value is not _ABSENT:
            return value
        data = self._db.get(full)
        # The stdlib's json reads back what either encoder wrote (orjson.loads would read an
        # int beyond 64 bits as a float).
        decoded = None if data is None else json.loads(data)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[full] = decoded
        return decoded

    def _dirty_slice(self, cf: str, prefix: bytes) -> list[bytes]:
        keys = self._dirty_sorted.get(cf)
        if not keys:
            return []
        matching = []
        for key in keys[bisect.bisect_left(keys, prefix) :]:
            if not key.startswith(prefix):
                break
            matching.append(key)
        return matching

    def _stored_keys(self, start: bytes, seek: bytes | None = None) -> Iterator[bytes]:
        # Lazy: nothing writes to RocksDB while the core processes (writes go to the overlay),
        # so the iterator is stable, and a scan that stops early (due dates) stays cheap.
        # The upper bound stops RocksDB at the prefix's end: without it, a seek into an empty
        # range steps over every deletion tombstone up to the next live key (milliseconds
        # per scan once many instances have completed).
        bound = _successor(start)
        options = ReadOptions()
        if bound is not None:
            options.set_iterate_upper_bound(bound)
        it = self._db.iter(options)
        it.seek(start if seek is None else seek)
        offset = start.index(_SEPARATOR) + 1
        while it.valid():
            full = it.key()
            if not full.startswith(start):
                break
            yield full[offset:]
            it.next()

    def _stored_family(self, cf: str, start: bytes) -> Iterator[bytes]:
        """`_stored_keys` of a whole family, from its floor; the first key found is the next
        floor (every stored key before it is deleted)."""
        floors = self._floors
        if cf in floors:
            floor = floors[cf]
            if floor is None:
                return
            keys = self._stored_keys(start, stored_key(cf, floor))
        else:
            keys = self._stored_keys(start)
        first = True
        for key in keys:
            if first:
                floors[cf] = key
                first = False
            yield key
        if first:
            floors[cf] = None

    def _lower_floor(self, full: bytes) -> None:
        cf_name, _, key = full.partition(_SEPARATOR)
        cf = cf_name.decode("ascii")
        if cf in self._floors:
            floor = self._floors[cf]
            if floor is None or key < floor:
                self._floors[cf] = key

    def _all_stored_keys(self) -> list[bytes]:
        keys = []
        it = self._db.iter()
        it.seek_to_first()
        while it.valid():
            full = it.key()
            if full not in _META_KEYS:
                keys.append(full)
            it.next()
        return keys


def _successor(prefix: bytes) -> bytes | None:
    """The smallest key after every key that starts with `prefix` (None: there is none)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def _merge(first: Iterator[bytes], second: list[bytes]) -> Iterator[bytes]:
    """The union of two sorted key sequences, in order, each key once."""
    j = 0
    for key in first:
        while j < len(second) and second[j] < key:
            yield second[j]
            j += 1
        if j < len(second) and second[j] == key:
            j += 1
        yield key
    yield from second[j:]
