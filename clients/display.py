"""How engine times and durations read for people: shared by the CLI tables and the web pages,
so an operator sees the same text in both."""

from __future__ import annotations

from datetime import UTC, datetime


def timestamp(ms: int | None) -> str:
    """Engine time (epoch ms) as UTC with milliseconds; '-' for none."""
    if ms is None or ms < 0:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def duration(ms: float | None) -> str:
    """`850 ms`, `12.0 s`, `3m 05s`, `2h 07m`; '-' for none."""
    if ms is None:
        return "-"
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
