"""The Kafka runtime for the scenario suite: two `honeyflow engine` processes on the session's
Kafka, with a topic prefix of their own per test, and a client on `kafka://`.

Starting two processors per test costs seconds: HONEYFLOW_KAFKA_SCENARIOS=subset runs a
representative subset on Kafka, `make test-kafka-scenarios` (=all) every scenario. Unset, the
Kafka variant is skipped (until the engine processors pass it, `make test` leaves it out).
Scenarios that move the in-process clock (`advance_time`) are skipped on Kafka, whose engine
keeps wall-clock time, at the moment they call it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker.topics import TopicSettings, ensure_topics
from clients.client import Client
from clients.kafka_engine_processes import EngineProcesses, EngineStartError
from clients.kafka_transport import KafkaTransport

PARTITIONS = 3
ENGINES = 2
SCENARIOS_ON_KAFKA = os.environ.get("HONEYFLOW_KAFKA_SCENARIOS", "")
# One scenario per family: record stream, versions, rejections, time-outs and results,
# cancel, gateways, jobs and incidents, subprocess/call activity, multi-instance.
REPRESENTATIVE = frozenset(
    {
        "test_one_task_record_stream",
        "test_create_with_result_waits_for_completion",
        "test_rejections_are_one_exception_tree",
        "test_cancel_terminates_everything",
        "test_gateway_scenarios_complete",
        "test_fail_with_retries_makes_the_job_available_again",
        "test_no_retries_raises_an_incident_resolved_after_updating_retries",
        "test_child_gets_the_variables_and_gives_its_own_back",
        "test_parallel_output_keeps_input_order_when_completed_in_reverse",
    }
)


class KafkaScenarioClient(Client):
    def advance_time(self, seconds: float) -> None:
        pytest.skip("advance_time needs the in-process engine's clock; Kafka's is the wall's")


def kafka_scenario_client(request: pytest.FixtureRequest) -> Iterator[Client]:
    """The body of the scenario `client` fixture for its Kafka parameter."""
    name = request.node.originalname
    if SCENARIOS_ON_KAFKA not in ("all", "subset"):
        pytest.skip("scenarios on Kafka: make test-kafka-scenarios")
    if SCENARIOS_ON_KAFKA == "subset" and name not in REPRESENTATIVE:
        pytest.skip("not in the Kafka subset (HONEYFLOW_KAFKA_SCENARIOS=all runs every one)")
    bootstrap: str = request.getfixturevalue("kafka_bootstrap")
    unique: str = request.getfixturevalue("unique_name")
    directory: Path = request.getfixturevalue("tmp_path")
    topics = TopicSettings(prefix=f"{unique}.", partitions=PARTITIONS)
    ensure_topics({"bootstrap.servers": bootstrap}, topics.core_topics())
    engines = EngineProcesses({"bootstrap.servers": bootstrap}, topics, directory, ENGINES)
    try:
        try:
            engines.wait_until_serving()
        except EngineStartError as error:
            raise AssertionError(f"{error}\n{engines.output()}") from None
        transport = KafkaTransport.open(f"kafka://{bootstrap}?prefix={topics.prefix}")
        with KafkaScenarioClient(transport) as client:
            yield client
    finally:
        engines.stop()
