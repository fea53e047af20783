"""The files around the code that users run directly: docker-compose.yml, the CI script,
and the code-quality gates (ruff, mypy) that every commit must pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from broker.kafka_dist import KAFKA_VERSION

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_docker_compose_follows_the_compose_spec() -> None:
    out = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_docker_compose_runs_the_tested_kafka_version() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert f"image: apache/kafka:{KAFKA_VERSION}" in text
    for node in (1, 2, 3):
        assert f"KAFKA_NODE_ID: {node}" in text
    assert "KAFKA_MIN_INSYNC_REPLICAS: 2" in text


def test_docker_compose_runs_engine_processors_and_workers() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "- engine" in text and "replicas: 2" in text
    assert "examples/order_workers.py" in text
    assert (ROOT / "examples" / "order_workers.py").is_file()
    assert "COPY examples ./examples" in (ROOT / "Dockerfile").read_text()


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_docker_compose_config_accepts_it() -> None:
    out = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr


def test_ruff_is_clean() -> None:
    out = subprocess.run(
        [str(BIN / "ruff"), "check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout[-5000:]


def test_mypy_is_clean() -> None:
    out = subprocess.run([str(BIN / "mypy")], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-5000:]
