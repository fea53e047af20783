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
_INT_PAIR = struct.Struct(">QQ")
_pack_int = _INT.pack
_pack_pair = _INT_PAIR.pack


def pack(*parts: int | str) -> bytes:
    """A composite key whose byte order is the order of its parts (ints as offset big-endian
    8 bytes, strings as UTF-8 ended by a NUL), so prefixes select ranges."""
    # The common shapes first: an entity key, an entity key in a scope's or a type's index,
    # a name in a scope.
    count = len(parts)
    if count == 1:
        part = parts[0]
        if type(part) is int:
            return _pack_int(part + _INT_OFFSET)
    elif count == 2:
        first, second = parts
        if type(first) is int:
            if type(second) is int:
                return _pack_pair(first + _INT_OFFSET, second + _INT_OFFSET)
            if type(second) is str:
                return _pack_int(first + _INT_OFFSET) + second.encode() + b"\x00"
        elif type(first) is str and type(second) is int:
            return first.encode() + b"\x00" + _pack_int(second + _INT_OFFSET)
    return b"".join(
        [
            _INT.pack(part + _INT_OFFSET) if isinstance(part, int) else part.encode() + b"\x00"
            for part in parts
        ]
    )


def pack_int(part: int) -> bytes:
    """`pack(part)` for one int, without the checks (the entity-key lookups of hot paths)."""
    return _pack_int(part + _INT_OFFSET)


def pack_int_text(number: int, text: str) -> bytes:
    """`pack(number, text)` without the checks (a name in a scope)."""
    return _pack_int(number + _INT_OFFSET) + text.encode() + b"\x00"


def pack_text_int(text: str, number: int) -> bytes:
    """`pack(text, number)` without the checks (an entity in a type's index)."""
    return text.encode() + b"\x00" + _pack_int(number + _INT_OFFSET)


def pack_ints(first: int, second: int) -> bytes:
    """`pack(first, second)` without the checks (an entity in a scope's or a time index)."""
    return _pack_pair(first + _INT_OFFSET, second + _INT_OFFSET)


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


def _prefix_end(prefix: bytes) -> bytes | None:
    """The least key above every key that starts with `prefix`; None if there is none."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


_NOTHING: Iterator[tuple[bytes, Any]] = iter(())


def _entries(family: dict[bytes, Any], keys: list[bytes]) -> Iterator[tuple[bytes, Any]]:
    for key in keys:
        value = family.get(key, _ABSENT)
        if value is not _ABSENT:
            yield key, value


class InMemoryKeyValueStore:
    """Dict per column family plus a sorted key list for ordered iteration; an undo log
    of (cf, key, previous value) implements savepoints.

    A family gets its sorted key list when it is first iterated: keeping one costs a
    bisection and a move of every later key per insert and delete, and the largest families
    (element instances, jobs, the key counter) are only ever read by key."""

    def __init__(self) -> None:
        self._data: dict[str, dict[bytes, Any]] = {}
        self._sorted: dict[str, list[bytes]] = {}
        self._undo: list[tuple[str, bytes, Any]] = []

    def get(self, cf: str, key: bytes) -> Any | None:
        family = self._data.get(cf)
        return None if family is None else family.get(key)

    def put(self, cf: str, key: bytes, value: Any) -> None:
        family = self._data.get(cf)
        if family is None:
            family = self._data[cf] = {}
        previous = family.get(key, _ABSENT)
        self._undo.append((cf, key, previous))
        if previous is _ABSENT and cf in self._sorted:
            bisect.insort(self._sorted[cf], key)
        family[key] = value

    def delete(self, cf: str, key: bytes) -> None:
        family = self._data.get(cf)
        if family is None:
            return
        previous = family.pop(key, _ABSENT)
        if previous is _ABSENT:
            return
        self._undo.append((cf, key, previous))
        if cf in self._sorted:
            self._remove_sorted(cf, key)

    def _remove_sorted(self, cf: str, key: bytes) -> None:
        keys = self._sorted.get(cf)
        if keys is not None:
            del keys[bisect.bisect_left(keys, key)]

    def iterate(self, cf: str, prefix: bytes = b"") -> Iterator[tuple[bytes, Any]]:
        # A plain function returning an iterator: most prefixes on hot paths (the variables or
        # event triggers of an element that has none) match nothing, and that answer costs no
        # generator.
        family = self._data.get(cf)
        if not family:
            return _NOTHING
        keys = self._sorted.get(cf)
        if keys is None:
            keys = self._sorted[cf] = sorted(family)
        # Copy the matching keys (callers may change the family while iterating), found by
        # bisection: a caller that wants the first few of many (the oldest activatable job of
        # a type) must not pay a Python loop over all of them.
        start = bisect.bisect_left(keys, prefix)
        if start == len(keys) or not keys[start].startswith(prefix):
            return _NOTHING
        end = _prefix_end(prefix)
        matching = keys[start:] if end is None else keys[start : bisect.bisect_left(keys, end)]
        return _entries(family, matching)

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
                keys = self._sorted.get(cf)
                if keys is not None and key not in family:
                    bisect.insort(keys, key)
                family[key] = previous

    def commit(self) -> None:
        self._undo.clear()

    def dump(self) -> dict[str, dict[bytes, Any]]:
        return {cf: dict(family) for cf, family in self._data.items() if family}
