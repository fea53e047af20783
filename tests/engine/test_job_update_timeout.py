"""Scenarios: JOB UPDATE_TIMEOUT gives an activated job a new deadline (Zeebe's
TIMEOUT_UPDATED); unknown and not activated jobs are refused."""

from __future__ import annotations

import pytest

from broker.protocol.intents import JobIntent
from clients.client import Client
from clients.commands import job_command
from clients.errors import InvalidArgumentError, InvalidStateError, NotFoundError
from tests.engine.conftest import events, scenario, send_unchecked


def test_a_longer_timeout_keeps_the_job_with_its_worker(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=10, worker="w")
    client.update_job_timeout(job.key, 60)
    [updated] = events(client, valueType="JOB", intent="TIMEOUT_UPDATED")
    assert updated["key"] == job.key
    assert updated["value"]["deadline"] == job.deadline - 10_000 + 60_000
    client.advance_time(11)  # past the first deadline
    assert events(client, valueType="JOB", intent="TIMED_OUT") == []
    assert client.activate_jobs("work", max_jobs=1, timeout=10, worker="other") == []
    client.advance_time(50)  # past the new one
    [timed_out] = events(client, valueType="JOB", intent="TIMED_OUT")
    assert timed_out["key"] == job.key


def test_a_shorter_timeout_times_the_job_out_sooner(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=600, worker="w")
    client.update_job_timeout(job.key, 5)
    client.advance_time(6)
    [again] = client.activate_jobs("work", max_jobs=1, timeout=60, worker="other")
    assert again.key == job.key


def test_update_timeout_needs_an_activated_job(client: Client) -> None:
    client.deploy(scenario("one_task.bpmn"))
    client.create_instance("one_task")
    [created] = events(client, valueType="JOB", intent="CREATED")
    with pytest.raises(InvalidStateError) as not_active:
        client.update_job_timeout(created["key"], 30)
    assert not_active.value.reason == (
        f"Expected to update the timeout of job with key '{created['key']}', but it is not active"
    )
    [job] = client.activate_jobs("work", max_jobs=1, timeout=10, worker="w")
    with pytest.raises(InvalidArgumentError):  # the engine's check, past the client's
        send_unchecked(client, job_command(JobIntent.UPDATE_TIMEOUT, job.key, timeout=-1000))
    client.complete_job(job.key)
    with pytest.raises(NotFoundError) as gone:
        client.update_job_timeout(job.key, 30)
    assert gone.value.reason == (
        f"Expected to update job with key '{job.key}', but no such job was found"
    )
    assert events(client, valueType="JOB", intent="TIMEOUT_UPDATED") == []
