"""What the process page's charts read from the store: the start and end times of one process
version's instances that started or ended since a time (engine clock, epoch ms). Bounded:
at most `limit` rows, newest first, so a busy process cannot make the page read millions."""

from __future__ import annotations

from processors.exporter.store import Store

CHART_ROW_LIMIT = 200_000


def instance_times(
    store: Store, process_definition_key: int, since_ms: int, limit: int = CHART_ROW_LIMIT
) -> list[tuple[int, int | None, int | None]]:
    """(start_time, end_time, duration_ms) of completed ones, end_time None while running;
    canceled instances count as started but not completed."""
    rows = store.query(
        "SELECT start_time, end_time, duration_ms, state FROM process_instances"
        " WHERE process_definition_key = ? AND (start_time >= ? OR end_time >= ?)"
        " ORDER BY start_time DESC LIMIT ?",
        (process_definition_key, since_ms, since_ms, limit),
    )
    return [
        (
            int(start),
            int(end) if end is not None and state == "COMPLETED" else None,
            int(duration) if duration is not None and state == "COMPLETED" else None,
        )
        for start, end, duration, state in rows
    ]
