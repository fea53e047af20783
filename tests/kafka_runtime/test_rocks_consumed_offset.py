"""The commands offset a takeover resumes from travels as one changelog record, apart from the
engine's state: written like any change, never seen by the core's reads or scans."""

from __future__ import annotations

from pathlib import Path

from processors.kafka.rocks_store import RocksKeyValueStore


def test_the_consumed_offset_is_a_changelog_record_outside_the_state(tmp_path: Path) -> None:
    store = RocksKeyValueStore(tmp_path / "db")
    assert store.consumed_offset is None
    store.put("timers", b"\x01", {"due": 5})
    list(store.iterate("timers"))  # scanned whole: `apply` keeps the family's floor
    changes = [*store.take_changes(), RocksKeyValueStore.consumed_change(42)]
    store.apply(changes, 7)
    assert store.consumed_offset == 42
    assert store.dump() == {"timers": {b"\x01": {"due": 5}}}

    # Restoring applies the changelog's records as they are: the offset comes back with them.
    copy = RocksKeyValueStore(tmp_path / "copy")
    copy.apply(changes, 7)
    assert copy.consumed_offset == 42

    store.clear()
    assert store.consumed_offset is None and store.dump() == {}
