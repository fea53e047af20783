"""The engine rejects commands whose arguments are out of range as INVALID_ARGUMENT, naming the
field, whatever client sent them: commands are sent as built, past the Python client's own
checks (`send_unchecked`), as a client in another language may send them. Nothing they name
changes, and the partition goes on."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import (
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
)
from broker.protocol.values import (
    JobBatchRecordValue,
    JobRecordValue,
    MessageRecordValue,
    ProcessInstanceCreationRecordValue,
)
from clients.client import Client, connect
from clients.commands import cancel_command, job_command, resolve_command
from clients.errors import InvalidArgumentError
from processors.engine.message_partition import message_partition
from tests.engine.conftest import completed_elements, events, scenario, send_unchecked

HUGE = 10**33  # 1e30 seconds in milliseconds


def _rejected(client: Client, command: Record[Any], partition_id: int | None = None) -> str:
    """The reason of the INVALID_ARGUMENT rejection of `command`; it is in the audit log."""
    with pytest.raises(InvalidArgumentError) as refused:
        send_unchecked(client, command, partition_id)
    reason = refused.value.reason
    rejections = [r for r in client.records() if r["recordType"] == "COMMAND_REJECTION"]
    assert (rejections[-1]["rejectionType"], rejections[-1]["rejectionReason"]) == (
        "INVALID_ARGUMENT",
        reason,
    )
    return reason


def _publish(client: Client, ttl_ms: int, **fields: Any) -> str:
    value = MessageRecordValue(name="m", correlation_key="k", time_to_live=ttl_ms, **fields)
    partition = message_partition("k", client.transport.partition_count)
    return _rejected(client, Record.command(MessageIntent.PUBLISH, value), partition)


def test_a_message_time_to_live_must_be_zero_or_more_milliseconds_that_fit_a_long(
    client: Client,
) -> None:
    assert _publish(client, -1) == (
        "Expected timeToLive to be zero or more milliseconds, at most"
        f" {2**63 - 1 - client.records()[-1]['timestamp']} (a 64-bit deadline), but it was '-1'"
    )
    assert "Expected timeToLive to be a 64-bit integer" in _publish(client, HUGE)
    assert "Expected timeToLive to be zero or more milliseconds" in _publish(client, 2**63 - 2)
    assert events(client, valueType="MESSAGE") == []


def test_keys_beyond_64_bits_are_rejected_not_an_unexpected_error(client: Client) -> None:
    for command in (
        cancel_command(2**70),
        resolve_command(2**64),
        job_command(JobIntent.COMPLETE, -(2**63) - 1),
    ):
        assert _rejected(client, command).startswith(
            "Expected the command's key to be a 64-bit integer, but it was"
        )
    assert "PROCESSING_ERROR" not in {r["rejectionType"] for r in client.records()}


def _activated_job(client: Client) -> tuple[int, int]:
    client.deploy(scenario("one_task.bpmn"))
    instance = client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=30)
    return int(instance), job.key  # type: ignore[arg-type]


def test_job_commands_out_of_range_are_rejected_and_the_job_goes_on(client: Client) -> None:
    instance, key = _activated_job(client)
    fail = JobIntent.FAIL
    reasons = [
        _rejected(client, job_command(fail, key, retries=2**63)),
        _rejected(client, job_command(fail, key, retries=2**31)),
        _rejected(client, job_command(fail, key, retries=1, retry_backoff=-1)),
        _rejected(client, job_command(fail, key, retries=1, retry_backoff=HUGE)),
        _rejected(client, job_command(JobIntent.UPDATE_RETRIES, key, retries=2**40)),
        _rejected(client, job_command(JobIntent.UPDATE_TIMEOUT, key, timeout=HUGE)),
    ]
    assert reasons[0] == "Expected retries to be a 64-bit integer, but it was '9223372036854775808'"
    assert reasons[1] == (
        "Expected retries to be a 32-bit integer (-2147483648 to 2147483647), but it was"
        " '2147483648'"
    )
    assert reasons[2].startswith("Expected retryBackoff to be zero or more milliseconds")
    assert reasons[3].startswith("Expected retryBackoff to be a 64-bit integer")
    assert reasons[4].startswith("Expected retries to be a 32-bit integer")
    assert reasons[5].startswith("Expected timeout to be a 64-bit integer")
    assert events(client, valueType="JOB", intent="FAILED") == []
    client.complete_job(key)
    assert completed_elements(client, instance)[-1] == "one_task"


def test_a_job_activation_timeout_beyond_a_long_is_rejected(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    for timeout, words in ((HUGE, "a 64-bit integer"), (-5, "zero or more milliseconds")):
        value = JobBatchRecordValue(
            type="work", worker="w", timeout=timeout, max_jobs_to_activate=1
        )
        command = Record.command(JobBatchIntent.ACTIVATE, value)
        assert f"Expected timeout to be {words}" in _rejected(client, command)
    value = JobBatchRecordValue(type="work", worker="w", timeout=1000, max_jobs_to_activate=2**31)
    command = Record.command(JobBatchIntent.ACTIVATE, value)
    assert "Expected maxJobsToActivate to be a 32-bit integer" in _rejected(client, command)
    assert events(client, valueType="JOB", intent="ACTIVATED") == []


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"x": float("nan")}, "Expected variables.x to be a finite number, but it was 'nan'"),
        (
            {"x": [1, float("-inf")]},
            "Expected variables.x[1] to be a finite number, but it was '-inf'",
        ),
        ({1: 2}, "Expected the keys of variables to be strings, but one was '1'"),
        ({"s": {1, 2}}, "Expected variables.s to be a JSON value, but it was a set"),
    ],
)
@pytest.mark.parametrize("url", ["memory://", "memory://?partitions=3"])
def test_variables_that_are_not_a_json_object_are_rejected(
    url: str, variables: dict[Any, Any], words: str
) -> None:
    # Python values no JSON encoder writes: on Kafka, NaN is refused when the record is read
    # (tests/kafka_runtime/test_bad_input.py).
    client = connect(url)
    client.deploy(scenario("one_task.bpmn"))
    value = ProcessInstanceCreationRecordValue(bpmn_process_id="one_task", variables=variables)
    command = Record.command(ProcessInstanceCreationIntent.CREATE, value)
    assert _rejected(client, command) == words
    assert events(client, valueType="PROCESS_INSTANCE") == []


def test_a_version_beyond_32_bits_is_rejected(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    value = ProcessInstanceCreationRecordValue(bpmn_process_id="one_task", version=2**32)
    reason = _rejected(client, Record.command(ProcessInstanceCreationIntent.CREATE, value))
    assert reason.startswith("Expected version to be a 32-bit integer")


@pytest.mark.parametrize("url", ["memory://", "memory://?partitions=3"])
def test_a_complete_with_non_json_variables_is_rejected_and_the_job_can_still_complete(
    url: str,
) -> None:
    client = connect(url)
    instance, key = _activated_job(client)
    command = job_command(JobIntent.COMPLETE, key, variables={"x": float("inf")})
    assert (
        _rejected(client, command) == "Expected variables.x to be a finite number, but it was 'inf'"
    )
    client.complete_job(key, {"x": 1})
    assert completed_elements(client, instance)[-1] == "one_task"


def test_in_range_values_at_the_limits_are_accepted(client: Client) -> None:
    _, key = _activated_job(client)
    send_unchecked(client, job_command(JobIntent.UPDATE_RETRIES, key, retries=2**31 - 1))
    value = JobRecordValue(retries=-5, retry_backoff=0)  # negative retries: none left, as Zeebe
    send_unchecked(client, Record.command(JobIntent.FAIL, value, key=key))
    [failed] = events(client, valueType="JOB", intent="FAILED")
    assert failed["value"]["retries"] == 0
