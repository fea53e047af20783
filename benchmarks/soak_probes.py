"""What the soak samples from outside the processes it watches: resident memory and CPU time
of a process (/proc, Linux), the size of a directory on disk, and how far a reader of the
audit log is behind its end (the exporter's offsets, kept in its SQLite store)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def rss_mb(pid: int | None) -> float:
    """Resident set size of `pid` in MB; NaN when it is gone or unknown."""
    if pid is None:
        return float("nan")
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of `pid` (all its threads); NaN when unknown."""
    if pid is None:
        return float("nan")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def directory_mb(path: Path) -> float:
    """Bytes of every file under `path` (as `du --apparent-size`), in MB."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:  # a compaction removed it meanwhile
                continue
    return total / 1_000_000


def exporter_offsets(store: Path) -> dict[int, int]:
    """Kafka partition (0-based) → the offset the exporter resumes at, from its SQLite store
    (opened read-only); empty before its first batch."""
    if not store.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as connection:
            rows = connection.execute(
                "SELECT partition_id, next_offset FROM exporter_positions"
            ).fetchall()
    except sqlite3.Error:
        return {}
    return {int(partition) - 1: int(offset) for partition, offset in rows}


def behind(ends: dict[int, int], read: dict[int, int]) -> int:
    """Records between a reader's offsets and the log's end, summed over partitions."""
    return sum(max(end - read.get(partition, 0), 0) for partition, end in ends.items())
