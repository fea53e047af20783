"""The one key-value store the engine's state lives in: column families of ordered byte keys
to JSON-able values, with savepoints so a failed command's partial changes can be undone.

`InMemoryKeyValueStore` is the implementation used today; a RocksDB one (one column family per
name, the undo log replaced by a write batch) implements the same protocol later.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from typing import Any, Protocol

_INT_OFFSET = 1 << 63
_INT = struct.Struct(">Q")


def pack(*parts: int | str) -> bytes:
    """A composite key whose byte order is the order of its parts (ints as offset big-endian
    8 bytes, strings as UTF-8 ended by a NUL), so prefixes select ranges."""
    if len(parts) == 1 and type(parts[0]) is int:  # the common case: one entity key
        return _INT.pack(parts[0] + _INT_OFFSET)
    out = bytearray()
    for part in parts:
        if isinstance(part, int):
            out += (part + _INT_OFFSET).to_bytes(8, "big")
        else:
            out += part.encode("utf-8") + b"\x00"
    return bytes(out)


def pack_int(part: int) -> bytes:
    """`pack(part)` for one int, without the checks (the entity-key lookups of hot paths)."""
    return _INT.pack(part + _INT_OFFSET)


def unpack_int(key: bytes, index: int) -> int:
    """The `index`-th part of a key that starts with `index + 1` int parts."""
    return int.from_bytes(key[index * 8 : index * 8 + 8], "big") - _INT_OFFSET


def last_int(key: bytes) -> int:
    """The trailing int part of a key (e.g. the entity key of a secondary index entry)."""
    return int.from_bytes(key[-8:], "big") - _INT_OFFSET


class KeyValueStore(Protocol):
    """Values are JSON-able and treated as immutable: callers put new objects, never mutate."""

    def get(self, cf: str, key: bytes) -> Any | None: ...

    def put(self, cf: str, key: bytes, value: Any) -> None: ...

    def delete(self, cf: str, key: bytes) -> None: ...

    def iterate(self, cf: str, prefix: bytes = b"") -> Iterator[tuple[bytes, Any]]:
        """Entries whose key starts with `prefix`, in key order."""
        ...

    def savepoint(self) -> int: ...

    def rollback_to(self, savepoint: int) -> None: ...

    def commit(self) -> None:
        """Forget every savepoint: the changes so far are final."""
        ...

    def dump(self) -> dict[str, dict[bytes, Any]]:
        """Every column family's content (for replay comparisons and size measurements)."""
        ...


_ABSENT = object()


class InMemoryKeyValueStore:
    """Dict per column family plus a sorted key list for ordered iteration; an undo log
    of (cf, key, previous value) implements savepoints."""

    def __init__(self) -> None:
        self._data: dict[str, dict[bytes, Any]] = {}
        self._sorted: dict[str, list[bytes]] = {}
        self._undo: list[tuple[str, bytes, Any]] = []

    def get(self, cf: str, key: bytes) -> Any | None:
        family = self._data.get(cf)
        return None if family is None else family.get(key)

    def put(self, cf: str, key: bytes, value: Any) -> None:
        family = self._data.setdefault(cf, {})
        previous = family.get(key, _ABSENT)
        self._undo.append((cf, key, previous))
        if previous is _ABSENT:
            bisect.insort(self._sorted.setdefault(cf, []), key)
        family[key] = value

    def delete(self, cf: str, key: bytes) -> None:
        family = self._data.get(cf)
        if family is None or key not in family:
            return
        self._undo.append((cf, key, family.pop(key)))
        self._remove_sorted(cf, key)

    def _remove_sorted(self, cf: str, key: bytes) -> None:
        keys = self._sorted[cf]
        index = bisect.bisect_left(keys, key)
        del keys[index]

    def iterate(self, cf: str, prefix: bytes = b"") -> Iterator[tuple[bytes, Any]]:
        keys = self._sorted.get(cf)
        if not keys:
            return
        family = self._data[cf]
        start = bisect.bisect_left(keys, prefix)
        # Copy the matching slice: callers may change the family while iterating.
        matching: list[bytes] = []
        for key in keys[start:]:
            if not key.startswith(prefix):
                break
            matching.append(key)
        for key in matching:
            value = family.get(key, _ABSENT)
            if value is not _ABSENT:
                yield key, value

    def savepoint(self) -> int:
        return len(self._undo)

    def rollback_to(self, savepoint: int) -> None:
        while len(self._undo) > savepoint:
            cf, key, previous = self._undo.pop()
            family = self._data[cf]
            if previous is _ABSENT:
                family.pop(key, None)
                self._remove_sorted(cf, key)
            else:
                if key not in family:
                    bisect.insort(self._sorted[cf], key)
                family[key] = previous

    def commit(self) -> None:
        self._undo.clear()

    def dump(self) -> dict[str, dict[bytes, Any]]:
        return {cf: dict(family) for cf, family in self._data.items() if family}
