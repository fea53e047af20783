"""`honeyflow engine --metrics-port`: the processor's Prometheus endpoint counts what it
processed (docs/operations.md, Metrics), and the open-incidents gauge is restored from the
state when another processor takes the partitions over."""

from __future__ import annotations

import dataclasses
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from broker.protocol.values import DeploymentRecordValue, DeploymentResource
from broker.topics import TopicSettings, ensure_topics
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    ROOT,
    Client,
    EngineProcess,
    Worker,
    completed_instances,
    events_of,
    read_all,
    wait_until_serving,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]
PARTITIONS = 2
INSTANCES = 5

# Neither flow's condition holds for {"approved": "maybe"} and there is no default flow: the
# gateway raises an incident.
NO_WAY_OUT = (ROOT / "tests/engine/scenarios/exclusive_no_default.bpmn").read_bytes()


def deploy_and_wait_for_both(client: Client) -> None:
    """Deploy the one-task process and the gateway process together and wait until every partition
    has them."""
    one_task = commands.deploy(commands.one_task_process())
    resources = (
        *one_task.value.resources,
        DeploymentResource(resource_name="exclusive_no_default.bpmn", resource=NO_WAY_OUT),
    )
    client.send(
        dataclasses.replace(one_task, value=DeploymentRecordValue(resources=resources)),
        partition_id=1,
    )
    client.flush()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        records = read_all(client.bootstrap, client.topics.events, PARTITIONS)
        if (
            len({r["partitionId"] for r in events_of(records, "DEPLOYMENT", "CREATED")})
            == PARTITIONS
        ):
            return
        time.sleep(0.3)
    raise AssertionError("the deployment did not reach every partition")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scrape(port: int) -> dict[str, float]:
    """Every sample of `/metrics`, by its name with labels as exposed."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def wait_for(
    condition: Callable[[], bool],
    engine: EngineProcess,
    seconds: float,
    poll: Callable[[], None] | None = None,
) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert engine.process.poll() is None, engine.log()[-3000:]
        if poll is not None:
            poll()
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def incidents_open(samples: dict[str, float]) -> float:
    return sum(
        samples.get(f'honeyflow_engine_incidents_open{{partition="{p}"}}', 0.0)
        for p in range(1, PARTITIONS + 1)
    )


def test_the_metrics_endpoint_counts_what_the_engine_processed(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=PARTITIONS)
    # The job topic exists beforehand: this test is about the counts, not about the first
    # send to a topic the engine just created (test_engine_flow covers that).
    ensure_topics({"bootstrap.servers": kafka_bootstrap}, [topics.job_topic("work")])
    port = _free_port()
    engine = EngineProcess(
        kafka_bootstrap,
        topics.prefix,
        tmp_path / "engine-a",
        PARTITIONS,
        "--metrics-port",
        str(port),
    )
    try:
        wait_until_serving(kafka_bootstrap, topics, [engine])
        client = Client(kafka_bootstrap, topics)
        # One deployment: a second one's wait would be satisfied by the first's events.
        deploy_and_wait_for_both(client)
        for i in range(INSTANCES):
            client.send(commands.create_instance("one-task", {"i": i}))
        client.send(commands.create_instance("exclusive_no_default", {"approved": "maybe"}))
        client.flush()
        worker = Worker(client, "work")

        seen: dict[str, int] = {}

        def ran() -> bool:
            records = read_all(kafka_bootstrap, topics.events, PARTITIONS)
            seen["completed"] = len(completed_instances(records))
            seen["incidents"] = len(list(events_of(records, "INCIDENT", "CREATED")))
            return seen == {"completed": INSTANCES, "incidents": 1}

        assert wait_for(ran, engine, 90, poll=lambda: worker.poll(1.0)), (seen, engine.log())
        worker.close()

        # The counters follow the commit that made the records visible: scrape until they do.
        samples: dict[str, float] = {}

        def counted() -> bool:
            samples.update(scrape(port))
            return samples.get('honeyflow_engine_jobs_total{event="completed"}') == INSTANCES

        assert wait_for(counted, engine, 30), samples
        assert samples['honeyflow_engine_jobs_total{event="created"}'] == INSTANCES
        assert samples['honeyflow_engine_jobs_total{event="failed"}'] == 0
        assert samples['honeyflow_engine_jobs_total{event="timed_out"}'] == 0
        assert incidents_open(samples) == 1
        processed = [
            samples.get(f'honeyflow_engine_commands_processed_total{{partition="{p}"}}', 0.0)
            for p in range(1, PARTITIONS + 1)
        ]
        # Each instance: create, claim, complete at least; deployments on both partitions.
        assert sum(processed) >= 3 * INSTANCES + 1 + PARTITIONS
        assert samples["honeyflow_engine_processing_seconds_count"] >= sum(processed)
        for p in range(1, PARTITIONS + 1):
            assert samples[f'honeyflow_engine_consumer_lag{{partition="{p}"}}'] >= 0
    finally:
        engine.stop()

    # Another processor with an empty database takes over: the incident gauge comes from the
    # restored state, not from counting events it processed (it processed none).
    port = _free_port()
    successor = EngineProcess(
        kafka_bootstrap,
        topics.prefix,
        tmp_path / "engine-b",
        PARTITIONS,
        "--metrics-port",
        str(port),
    )
    try:
        wait_until_serving(kafka_bootstrap, topics, [successor])
        samples = scrape(port)
        assert incidents_open(samples) == 1
        assert samples['honeyflow_engine_jobs_total{event="created"}'] == 0
    finally:
        successor.stop()
