"""`honeyflow demo` (what `make demo` runs) on a fresh directory: Kafka up, topics, a record
sent and read back, and directions for kcat."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from broker.kafka_cluster import LocalCluster

pytestmark = pytest.mark.kafka


def test_demo_sends_and_reads_back_a_record(tmp_path: Path) -> None:
    directory = tmp_path / "demo-kafka"
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "clients.cli.main",
                "demo",
                "--dir",
                str(directory),
                "--port",
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr
        assert "created  honeyflow.commands" in out.stdout
        assert "Read it back: MESSAGE PUBLISH" in out.stdout
        assert '"correlationKey":"order-4711"' in out.stdout
        assert "kcat -b 127.0.0.1:" in out.stdout
    finally:
        LocalCluster(directory).down()
