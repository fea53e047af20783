"""Keys that say on which partition their entity lives, laid out as Zeebe's.

    key = partition_id << 51 | counter

The upper 12 bits of a signed 64-bit key hold the partition id (1..4095), the lower 51 bits a
per-partition counter that starts at 1, so the first key of partition 1 is 2251799813685249,
as in Zeebe. Any processor can route a command by its key alone. `-1` (`NO_KEY`) means "no key".
"""

from __future__ import annotations

from typing import Final

PARTITION_BITS: Final = 51
"""Number of low bits that hold the counter."""
MAX_COUNTER: Final = (1 << PARTITION_BITS) - 1
MIN_PARTITION_ID: Final = 1
MAX_PARTITION_ID: Final = (1 << (63 - PARTITION_BITS)) - 1
"""4095: the largest partition id whose keys still fit a signed 64-bit integer."""
NO_KEY: Final = -1
"""The key of records that refer to no entity (Zeebe's `-1`)."""


def _check_partition(partition_id: int) -> None:
    if not MIN_PARTITION_ID <= partition_id <= MAX_PARTITION_ID:
        raise ValueError(
            f"partition id {partition_id} out of range "
            f"{MIN_PARTITION_ID}..{MAX_PARTITION_ID} (partition ids start at 1)"
        )


def encode_key(partition_id: int, counter: int) -> int:
    """The key of the `counter`-th entity of `partition_id`."""
    _check_partition(partition_id)
    if not 0 <= counter <= MAX_COUNTER:
        raise ValueError(f"key counter {counter} out of range 0..{MAX_COUNTER}")
    return (partition_id << PARTITION_BITS) | counter


def _check_key(key: int) -> None:
    if key < (MIN_PARTITION_ID << PARTITION_BITS) or key > (1 << 63) - 1:
        raise ValueError(
            f"{key} is not a partition-encoded key "
            f"(expected {MIN_PARTITION_ID << PARTITION_BITS}..{(1 << 63) - 1})"
        )


def decode_partition(key: int) -> int:
    """The partition id encoded in `key`."""
    _check_key(key)
    return key >> PARTITION_BITS


def decode_counter(key: int) -> int:
    """The per-partition counter encoded in `key`."""
    _check_key(key)
    return key & MAX_COUNTER


class KeyGenerator:
    """Hands out the keys of one partition, in order.

    Part of the engine's state: its whole state is `last_counter`, which the engine persists
    with the rest of the partition's state, so replaying events yields the same keys.
    Deliberately mutable (one per partition, owned by its processor); `copy()` forks it.
    """

    __slots__ = ("_last_counter", "_partition_id")

    def __init__(self, partition_id: int, last_counter: int = 0) -> None:
        _check_partition(partition_id)
        if not 0 <= last_counter <= MAX_COUNTER:
            raise ValueError(f"key counter {last_counter} out of range 0..{MAX_COUNTER}")
        self._partition_id = partition_id
        self._last_counter = last_counter

    @property
    def partition_id(self) -> int:
        return self._partition_id

    @property
    def last_counter(self) -> int:
        """The counter of the last key handed out (0 before the first)."""
        return self._last_counter

    def next_key(self) -> int:
        """A new key, never handed out before on this partition."""
        if self._last_counter >= MAX_COUNTER:
            raise OverflowError(f"key space of partition {self._partition_id} is exhausted")
        self._last_counter += 1
        return (self._partition_id << PARTITION_BITS) | self._last_counter

    def observe(self, key: int) -> None:
        """Move past `key` if it is a later key of this partition (used when replaying events)."""
        if decode_partition(key) == self._partition_id:
            self._last_counter = max(self._last_counter, key & MAX_COUNTER)

    def copy(self) -> KeyGenerator:
        return KeyGenerator(self._partition_id, self._last_counter)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyGenerator):
            return NotImplemented
        return (self._partition_id, self._last_counter) == (
            other._partition_id,
            other._last_counter,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: equal now, not necessarily later

    def __repr__(self) -> str:
        return f"KeyGenerator(partition_id={self._partition_id}, last_counter={self._last_counter})"
