"""RocksDB writes an info log (LOG) per open and keeps the old ones as LOG.old.<time>: an
engine whose partitions are handed over again and again (a starved engine re-joining its
group every few seconds in `make soak`) reopens its stores each time, and the old logs made
most of its state directory's size (108 per partition in 20 minutes). A partition keeps a
bounded number of them."""

from __future__ import annotations

from pathlib import Path

from processors.kafka.rocks_store import KEPT_INFO_LOGS, RocksKeyValueStore


def test_reopening_a_partitions_store_keeps_a_bounded_number_of_info_logs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "partition-1"
    for n in range(KEPT_INFO_LOGS + 15):
        store = RocksKeyValueStore(path)
        store.put("cf", b"k", n)
        store.apply(store.take_changes(), n)
        store.close()
    info_logs = [p.name for p in path.iterdir() if p.name.startswith("LOG")]
    assert len(info_logs) <= KEPT_INFO_LOGS
    store = RocksKeyValueStore(path)
    assert store.get("cf", b"k") == KEPT_INFO_LOGS + 14  # the data is untouched
    store.close()
