"""Times and durations as the CLI tables and the web pages show them."""

from __future__ import annotations

from clients.display import duration, timestamp


def test_timestamps_are_utc_with_milliseconds() -> None:
    assert timestamp(0) == "1970-01-01 00:00:00.000"
    assert timestamp(1_795_610_520_036) == "2026-11-25 12:42:00.036"
    assert timestamp(None) == timestamp(-1) == "-"


def test_durations_pick_a_readable_unit() -> None:
    assert duration(None) == "-"
    assert duration(850) == "850 ms"
    assert duration(12_000) == "12.0 s"
    assert duration(185_000) == "3m 05s"
    assert duration(7_620_000) == "2h 07m"
