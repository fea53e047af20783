"""A short `make soak` on the session's Kafka: one engine, a few instances a second for a
quarter of a minute, incidents resolved after two seconds; every instance is accounted for
and the samples are written (the real soak runs for minutes: docs/soak.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks.soak import main

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_a_short_soak_accounts_for_every_instance(kafka_bootstrap: str, tmp_path: Path) -> None:
    out = tmp_path / "soak"
    code = main(
        [
            "--bootstrap", kafka_bootstrap,
            "--minutes", "0.25",
            "--rate", "8",
            "--engines", "1",
            "--partitions", "2",
            "--interval", "5",
            "--fail-every", "5",
            "--incident-hold", "2",
            "--drain", "120",
            "--out", str(out),
            "--no-plots",
        ]
    )  # fmt: skip
    summary = (out / "summary.txt").read_text()
    assert code == 0, summary
    assert "verdict: OK, nothing lost" in summary
    assert "still waiting on an open incident: 0" in summary
    rows = list(csv.DictReader((out / "samples.csv").open()))
    assert rows and {"p99_ms", "rss_mb_engine-1", "rocksdb_mb_engine-1", "exporter_lag"} <= set(
        rows[0]
    )
