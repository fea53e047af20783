"""Which Kafka the test session takes (tests/support/kafka_source.py), checked without one:
the local launcher by default, testcontainers on HONEYFLOW_TEST_KAFKA=docker, and a clear error
where docker is asked for and no Docker engine answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.kafka_source import KafkaSourceError, describe, docker_kafka, kafka_source

ROOT = Path(__file__).resolve().parents[1]
NO_DOCKER = {"DOCKER_HOST": "unix:///nonexistent/honeyflow-test/docker.sock"}


def test_the_local_launcher_is_the_default() -> None:
    assert kafka_source({}) == "local"
    assert kafka_source({"HONEYFLOW_TEST_KAFKA": ""}) == "local"
    assert kafka_source({"HONEYFLOW_TEST_KAFKA": "Docker"}) == "docker"
    assert describe("local").startswith("kafka: local launcher")
    assert describe("docker").startswith("kafka: testcontainers")


def test_an_unknown_source_is_named_with_the_choices() -> None:
    with pytest.raises(KafkaSourceError, match=r"HONEYFLOW_TEST_KAFKA='podman'.*local, docker"):
        kafka_source({"HONEYFLOW_TEST_KAFKA": "podman"})


def test_docker_without_an_engine_says_so_and_how_to_go_on() -> None:
    with pytest.raises(KafkaSourceError) as raised, docker_kafka(NO_DOCKER):
        pass
    message = str(raised.value)
    assert "no Docker engine answers at unix:///nonexistent/honeyflow-test/docker.sock" in message
    assert "unset HONEYFLOW_TEST_KAFKA" in message


def test_a_kafka_test_asked_to_run_on_docker_without_one_fails_with_that_error() -> None:
    env = {**os.environ, **NO_DOCKER, "HONEYFLOW_TEST_KAFKA": "docker", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "tests/broker/test_kafka_single_node.py::test_faust_agent_consumes",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "kafka: testcontainers" in run.stdout  # the header says which Kafka was asked for
    assert "no Docker engine answers" in run.stdout
    assert "Traceback" not in run.stdout
