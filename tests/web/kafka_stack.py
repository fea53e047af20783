"""Two `honeyflow engine` processes and a `honeyflow exporter` filling a SQLite store, on the
session's Kafka: what the web app runs against in the browser tests on Kafka."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from broker.topics import TopicSettings, ensure_topics
from clients.kafka_engine_processes import EngineProcesses

HONEYFLOW = str(Path(sys.executable).parent / "honeyflow")


@dataclass(frozen=True)
class KafkaStack:
    url: str
    """kafka://bootstrap?prefix=… of the stack's topics."""
    store: str
    """The SQLite store the exporter fills."""
    topics: TopicSettings


@contextmanager
def engines_and_exporter(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> Iterator[KafkaStack]:
    """Both engines serving and the exporter started; on a failure inside, their output is
    printed; at the end the exporter gets SIGTERM and the engines stop."""
    topics = TopicSettings(prefix=f"{unique_name}.", partitions=2)
    config = {"bootstrap.servers": kafka_bootstrap}
    ensure_topics(config, topics.core_topics())
    store = str(tmp_path / "visibility.db")
    engines = EngineProcesses(config, topics, tmp_path / "engines", 2)
    exporter: subprocess.Popen[bytes] | None = None
    exporter_log = tmp_path / "exporter.log"
    try:
        engines.wait_until_serving()
        with exporter_log.open("wb") as log:
            exporter = subprocess.Popen(
                [HONEYFLOW, "exporter", "--bootstrap", kafka_bootstrap, "--prefix",
                 topics.prefix, "--store", store],
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        yield KafkaStack(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}", store, topics)
    except BaseException:
        print(engines.output()[-4000:])
        if exporter_log.exists():
            print(exporter_log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if exporter is not None and exporter.poll() is None:
            exporter.send_signal(signal.SIGTERM)
            try:
                exporter.wait(30)
            except subprocess.TimeoutExpired:
                exporter.kill()
                exporter.wait()
        engines.stop()
