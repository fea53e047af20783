"""`honeyflow demo` (what `make demo` runs) on a fresh directory with 20 orders: two engines,
the example workers, the summary of what happened, and directions for kcat."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from broker.kafka_cluster import LocalCluster

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]


def test_demo_runs_orders_to_completion_and_incidents(tmp_path: Path) -> None:
    directory = tmp_path / "kafka"
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "clients.cli.main",
                "demo",
                "--orders",
                "20",
                "--port",
                "0",
                "--dir",
                str(directory),
                "--timeout",
                "120",
            ],
            capture_output=True,
            text=True,
            timeout=280,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        summary = dict(
            re.findall(
                r"^  (orders placed|completed|in flight|incidents|payment retries)\s+(\d+)",
                out.stdout,
                re.M,
            )
        )
        # Orders 10 and 20 have no shipping address; orders 7 and 14 pay on the second try.
        assert summary == {
            "orders placed": "20",
            "completed": "18",
            "in flight": "0",
            "incidents": "2",
            "payment retries": "2",
        }
        assert "IO_MAPPING_ERROR" in out.stdout and "shippingAddress" in out.stdout
        assert "kcat -b 127.0.0.1:" in out.stdout
        assert "Engines stopped" in out.stdout and "Workers stopped" in out.stdout
        assert LocalCluster(directory).spec() is not None  # Kafka keeps running
    finally:
        LocalCluster(directory).down()
