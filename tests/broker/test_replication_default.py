"""Highly available by default: on three brokers, `honeyflow topics create` and `honeyflow
engine` without a --replication-factor agree (3, min.insync.replicas 2), so the engine starts
on the topics `topics create` made and creates its own the same way (#10 item 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from broker.kafka_cluster import LocalCluster
from broker.topics import TopicSettings
from tests.kafka_runtime.harness import EngineProcess, wait_until_serving

pytestmark = [pytest.mark.kafka, pytest.mark.cluster, pytest.mark.timeout(300)]


def test_engine_and_topics_create_share_one_default_on_three_brokers(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "kafka")
    engine: EngineProcess | None = None
    try:
        bootstrap = cluster.up(3, base_port=0).bootstrap
        prefix = "ha."
        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "clients.cli.main",
                "topics",
                "create",
                "--bootstrap",
                bootstrap,
                "--prefix",
                prefix,
                "--partitions",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert created.returncode == 0, created.stderr
        engine = EngineProcess(bootstrap, prefix, tmp_path / "engine", 2)
        topics = TopicSettings(prefix=prefix, partitions=2)
        wait_until_serving(bootstrap, topics, [engine], seconds=120)
        admin = AdminClient({"bootstrap.servers": bootstrap})
        names = [prefix + n for n in ("commands", "events", "engine-state", "commands.dlq")]
        metadata = admin.list_topics(timeout=30).topics
        replicas = {n: {len(p.replicas) for p in metadata[n].partitions.values()} for n in names}
        resources = [ConfigResource("topic", n) for n in names]
        isr = {
            r.name: f.result(30)["min.insync.replicas"].value
            for r, f in admin.describe_configs(resources).items()
        }
    finally:
        if engine is not None:
            engine.stop()
        cluster.down()

    # Those of `topics create` and those the engine made itself alike.
    assert replicas == {n: {3} for n in names}
    assert isr == {n: "2" for n in names}
