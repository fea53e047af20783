"""The Kafka runtime for the scenario suite: two `honeyflow engine` processes on the session's
Kafka, with a topic prefix of their own per test, and a client on `kafka://`.

Starting two processors per test costs seconds, so by default (`make test`) a representative
subset — one scenario per family — runs on Kafka and the other Kafka variants are deselected;
HONEYFLOW_KAFKA_SCENARIOS=all (`make test-kafka-scenarios`) runs every scenario on Kafka,
HONEYFLOW_KAFKA_SCENARIOS=none none. Scenarios that move the in-process clock
(`advance_time`) are skipped on Kafka, whose engine keeps wall-clock time, at the moment they
call it; tests/kafka_runtime/test_time_after_rebalance.py covers timers, message TTLs and job
time-outs on Kafka with short real durations.

Scenarios are written against `memory://`, where a request returns once every partition has
processed what it caused. The scenario client does the same on Kafka — each request returns
once the engines have processed every command (a real client does not wait) — so that the
same scenario sees the same order of inputs on both runtimes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broker.protocol import Record
from broker.topics import TopicSettings, ensure_topics
from clients.client import Client
from clients.kafka_address import parse_kafka_url
from clients.kafka_engine_processes import EngineProcesses, EngineStartError
from clients.kafka_transport import KafkaTransport

PARTITIONS = 3
ENGINES = 2
SCENARIOS_ON_KAFKA = os.environ.get("HONEYFLOW_KAFKA_SCENARIOS", "subset")
# One scenario per family (a test module), none of them waiting on the clock: the record
# stream, create-with-result (its request kept in state), jobs and incidents, call activity,
# multi-instance, messages across partitions, message start, errors, event subprocess, script
# task, a timer that is due at once, execution listeners (job kinds through RocksDB state),
# business rule tasks (a decision graph distributed to every partition; an incident),
# process instance migration (a job, a message subscription, a user task, an incident),
# process instance modification (an incident resolved, a subprocess activated by events),
# resource deletion (distributed to every partition; refused while an instance runs).
REPRESENTATIVE = frozenset(
    {
        "test_one_task_record_stream",
        "test_create_with_result_waits_for_completion",
        "test_no_retries_raises_an_incident_resolved_after_updating_retries",
        "test_child_gets_the_variables_and_gives_its_own_back",
        "test_parallel_output_keeps_input_order_when_completed_in_reverse",
        "test_non_interrupting_then_interrupting_message_boundary",
        "test_one_active_instance_per_correlation_key",
        "test_error_in_a_called_process_is_caught_at_the_call_activity",
        "test_timer_expression_sees_the_subprocess_input_mappings",
        "test_output_mapping_incident_keeps_the_script_result_on_resolve",
        "test_date_in_the_past_fires_at_once",
        "test_correlating_to_a_waiting_instance_answers_with_that_instance",
        "test_start_listeners_run_before_the_task_and_end_listeners_after_it",
        "test_required_decisions_are_evaluated_first",
        "test_a_failing_evaluation_is_an_incident_resolved_after_fixing_the_variable",
        "test_complete_with_variables_merges_them_and_applies_output_mappings",
        "test_a_form_deployed_with_the_process_is_linked_to_the_task",
        "test_a_waiting_job_keeps_its_key_and_the_instance_follows_the_new_version",
        "test_a_message_catch_event_and_a_user_task_move_to_another_process",
        "test_an_incident_stays_and_is_resolved_on_the_new_version",
        "test_skip_a_broken_step_terminates_it_resolves_its_incident_and_goes_on",
        "test_activate_inside_a_subprocess_creates_its_instance_with_variables",
        "test_deleting_the_latest_version_makes_the_previous_one_the_latest",
        "test_a_definition_with_a_running_instance_is_not_deleted",
        "test_job_activation_hands_out_only_the_named_tenants_jobs",
        "test_a_workers_tenants_are_the_only_ones_it_receives",
        "test_a_message_correlates_only_within_its_tenant",
    }
)


def deselect_kafka_variants(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the Kafka variants that HONEYFLOW_KAFKA_SCENARIOS does not ask for (listed
    as deselected, not as ~90 skips)."""
    if SCENARIOS_ON_KAFKA == "all":
        return
    if SCENARIOS_ON_KAFKA not in ("subset", "none"):
        raise pytest.UsageError(
            f"HONEYFLOW_KAFKA_SCENARIOS={SCENARIOS_ON_KAFKA!r}: expected all, subset or none"
        )
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_kafka = callspec is not None and callspec.params.get("client") == "kafka"
        wanted = (
            SCENARIOS_ON_KAFKA == "subset" and getattr(item, "originalname", "") in REPRESENTATIVE
        )
        (drop if on_kafka and not wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class SettlingTransport(KafkaTransport):
    """Each request returns once the engines have processed everything it caused."""

    def request(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        answer = super().request(command, partition_id, timeout)
        self.settle()
        return answer


class KafkaScenarioClient(Client):
    def advance_time(self, seconds: float) -> None:
        pytest.skip("advance_time needs the in-process engine's clock; Kafka's is the wall's")


def kafka_scenario_client(request: pytest.FixtureRequest) -> Iterator[Client]:
    """The body of the scenario `client` fixture for its Kafka parameter."""
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
        transport = SettlingTransport(
            parse_kafka_url(f"kafka://{bootstrap}?prefix={topics.prefix}")
        )
        with KafkaScenarioClient(transport) as client:
            yield client
    finally:
        engines.stop()
