"""The numbers behind a process page's charts, per minute over the last hours: instances
started, instances completed, and the p50 / p95 / p99 duration of those completed in that
minute (nearest rank; null for a minute with none). Pure: rows and a clock in, series out."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

MINUTE_MS = 60_000
PERCENTILES = (50, 95, 99)


def percentile(sorted_values: list[int], p: int) -> int | None:
    """Nearest rank, as the store's p50 / p95 are computed."""
    if not sorted_values:
        return None
    return sorted_values[max(math.ceil(p * len(sorted_values) / 100), 1) - 1]


def chart_series(
    rows: Iterable[tuple[int, int | None, int | None]], now_ms: int, hours: int
) -> dict[str, Any]:
    """`minutes` (epoch seconds of each minute's start, oldest first, the last one holding
    `now_ms`), `started`, `completed` and `p50`/`p95`/`p99` (ms), one value per minute."""
    last = now_ms // MINUTE_MS
    first = last - hours * 60 + 1
    started: dict[int, int] = defaultdict(int)
    completed: dict[int, int] = defaultdict(int)
    durations: dict[int, list[int]] = defaultdict(list)
    for start, end, duration in rows:
        if first <= start // MINUTE_MS <= last:
            started[start // MINUTE_MS] += 1
        if end is not None and first <= end // MINUTE_MS <= last:
            completed[end // MINUTE_MS] += 1
            if duration is not None:
                durations[end // MINUTE_MS].append(duration)
    minutes = range(first, last + 1)
    series: dict[str, Any] = {
        "minutes": [m * 60 for m in minutes],
        "started": [started.get(m, 0) for m in minutes],
        "completed": [completed.get(m, 0) for m in minutes],
    }
    for p in PERCENTILES:
        series[f"p{p}"] = [percentile(sorted(durations.get(m, [])), p) for m in minutes]
    return series
