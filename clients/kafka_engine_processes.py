"""`honeyflow engine` processes started by this process (the demo, the scenario tests): start
them on one topic prefix, wait until they serve every partition, stop them with SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from broker.kafka_config import ClientConfig
from broker.topics import TopicSettings
from clients.errors import HoneyflowError


class EngineStartError(HoneyflowError):
    """An engine process exited, or the engines did not take every partition in time."""


class EngineProcesses:
    """`count` engine processes sharing `topics`; state in `directory/engine-N`, output in
    `directory/engine-N.log`."""

    def __init__(
        self,
        config: ClientConfig,
        topics: TopicSettings,
        directory: Path,
        count: int = 2,
        *,
        kafka_config: Path | None = None,
        admin_public_key: Path | None = None,
        verbose: bool = False,
    ) -> None:
        """`config`: settings to watch the engines' group with; `kafka_config`: the engines'
        own client settings file (`--kafka-config`, e.g. a secure cluster's credentials);
        `admin_public_key`: the engines check signed commands (`--admin-public-key`);
        `verbose`: they log every partition hand-over (`--verbose`)."""
        self.config = config
        self.topics = topics
        directory.mkdir(parents=True, exist_ok=True)
        self.logs = [directory / f"engine-{n}.log" for n in range(1, count + 1)]
        self.processes: list[subprocess.Popen[bytes]] = []
        for n, log in enumerate(self.logs, start=1):
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "clients.cli.main",
                            "engine",
                            "--address",
                            str(config["bootstrap.servers"]),
                            "--prefix",
                            topics.prefix,
                            "--partitions",
                            str(topics.partitions),
                            "--replication-factor",
                            str(topics.replication_factor),
                            "--data-dir",
                            str(directory / f"engine-{n}"),
                            *(["--kafka-config", str(kafka_config)] if kafka_config else []),
                            *(["--verbose"] if verbose else []),
                            *(
                                ["--admin-public-key", str(admin_public_key)]
                                if admin_public_key
                                else []
                            ),
                        ],
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )

    def wait_until_serving(self, timeout: float = 120.0) -> None:
        """Until the engine group is stable with every process in it and every partition of
        the commands topic assigned, so no hand-over happens right after."""
        admin = AdminClient(dict(self.config))
        group = self.topics.prefix + "engine"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n, process in enumerate(self.processes, start=1):
                if process.poll() is not None:
                    raise EngineStartError(f"engine {n} exited; see {self.logs[n - 1]}")
            [future] = admin.describe_consumer_groups([group]).values()
            try:
                found = future.result(timeout=10)
            except (KafkaException, TimeoutError):
                # No group coordinator yet (a fresh cluster creates its offsets topic first,
                # and the request waits for it).
                time.sleep(0.2)
                continue
            assigned = {
                tp.partition
                for member in found.members
                for tp in (member.assignment.topic_partitions if member.assignment else [])
                if tp.topic == self.topics.commands
            }
            if (
                str(found.state).endswith("STABLE")
                and len(found.members) == len(self.processes)
                and assigned == set(range(self.topics.partitions))
            ):
                return
            time.sleep(0.2)
        raise EngineStartError(
            f"the engines did not take every partition within {timeout} s; see "
            + ", ".join(str(log) for log in self.logs)
        )

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for log in self.logs)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM each (they finish the batch in hand and leave the group), then wait."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
