"""Prefix scans of the RocksDB store: bounded at the prefix's end (so deleted ranges are not
stepped over), yet every key of the prefix is found, also next to 0xff bytes."""

from __future__ import annotations

from pathlib import Path

from processors.kafka.rocks_store import RocksKeyValueStore


def _committed(store: RocksKeyValueStore) -> None:
    store.apply(store.take_changes(), None)


def test_prefix_scans_find_exactly_the_prefix(tmp_path: Path) -> None:
    store = RocksKeyValueStore(tmp_path / "db")
    keys = [b"\x01", b"\x01\x00", b"\x01\xff", b"\x01\xff\xff", b"\x02", b"\xff", b"\xff\x01"]
    for key in keys:
        store.put("cf", key, key.hex())
    store.put("cg", b"\x01", "other family")
    _committed(store)
    for prefix in (b"", b"\x01", b"\x01\xff", b"\xff", b"\x03"):
        assert [k for k, _ in store.iterate("cf", prefix)] == [
            k for k in keys if k.startswith(prefix)
        ]
    store.close()


def test_a_scan_over_deleted_keys_sees_the_live_ones_and_the_overlay(tmp_path: Path) -> None:
    store = RocksKeyValueStore(tmp_path / "db")
    for i in range(1000):
        store.put("a", i.to_bytes(4, "big"), i)
    store.put("b", b"\x00", "live")
    _committed(store)
    for i in range(1000):
        store.delete("a", i.to_bytes(4, "big"))
    _committed(store)
    store.put("a", b"\x00\x00\x00\x07", "overlay")
    assert list(store.iterate("a")) == [(b"\x00\x00\x00\x07", "overlay")]
    assert list(store.iterate("b")) == [(b"\x00", "live")]
    store.close()


def test_whole_family_scans_resume_at_their_floor_yet_see_every_key(tmp_path: Path) -> None:
    """Due-date scans start at the first key the last scan found (keys before it are
    deleted); a key written below that floor later, or into an emptied family, is still
    found, whether written by processing or by restoring from the changelog."""
    store = RocksKeyValueStore(tmp_path / "db")

    def key(i: int) -> bytes:
        return i.to_bytes(4, "big")

    for i in range(100):
        store.put("due", key(i), i)
    _committed(store)
    assert [v for _, v in store.iterate("due")] == list(range(100))
    for i in range(50):
        store.delete("due", key(i))
    _committed(store)
    assert [v for _, v in store.iterate("due")] == list(range(50, 100))
    store.put("due", key(7), "below the floor")
    assert [v for _, v in store.iterate("due")][:2] == ["below the floor", 50]  # overlay
    _committed(store)
    assert [v for _, v in store.iterate("due")][:2] == ["below the floor", 50]  # stored
    for i in [7, *range(50, 100)]:
        store.delete("due", key(i))
    _committed(store)
    assert list(store.iterate("due")) == []
    assert list(store.iterate("due")) == []  # the family is known empty now
    store.apply([(b"due\x00" + key(3), b'"restored"')], None)
    assert list(store.iterate("due")) == [(key(3), "restored")]
    assert list(store.iterate("due", key(3)[:1])) == [(key(3), "restored")]
    store.clear()
    store.put("due", key(1), 1)
    _committed(store)
    assert list(store.iterate("due")) == [(key(1), 1)]
    store.close()
