"""The assertions users write their process tests with (clients.testing), on real runs of
the in-process engine: they pass when the instance did what they say, and fail with a
message that tells what it did instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from clients.client import Client, connect
from clients.testing import assert_instance

SCENARIOS = Path(__file__).parents[1] / "engine" / "scenarios"


@pytest.fixture
def client() -> Client:
    client = connect("memory://")
    client.deploy(SCENARIOS / "one_task.bpmn")
    return client


def test_a_waiting_then_completed_instance(client: Client) -> None:
    key = client.create_instance("one_task", {"orderId": 4711})
    check = assert_instance(client, key)
    check.is_active().is_waiting_at("task").has_passed("start").has_not_passed("task")
    check.has_variable("orderId", 4711).has_no_incidents()

    job = client.activate_jobs("work", max_jobs=1, timeout=30, worker="test")[0]
    client.complete_job(job.key, {"paid": True})
    check.is_completed().has_passed_in_order("start", "task").has_variable("paid", True)
    check.is_waiting_at()


def test_failures_say_what_the_instance_did(client: Client) -> None:
    key = client.create_instance("one_task")
    with pytest.raises(AssertionError) as failure:
        assert_instance(client, key).is_completed()
    message = str(failure.value)
    assert f"process instance {key} (one_task) to be completed" in message
    assert "it is activated; waiting at ['task']" in message
    with pytest.raises(AssertionError, match="to have variable 'missing'"):
        assert_instance(client, key).has_variable("missing")
    with pytest.raises(AssertionError, match="no process instance with key 42"):
        assert_instance(client, 42).is_active()


def test_incidents_and_their_resolution(client: Client) -> None:
    key = client.create_instance("one_task")
    job = client.activate_jobs("work", max_jobs=1, timeout=30, worker="test")[0]
    client.fail_job(job.key, retries=0, error_message="card declined")
    check = assert_instance(client, key).has_incident("JOB_NO_RETRIES", element_id="task")
    with pytest.raises(AssertionError, match="card declined"):
        check.has_no_incidents()
    with pytest.raises(AssertionError, match="to have an incident at start"):
        check.has_incident(element_id="start")

    client.update_job_retries(job.key, 1)
    client.resolve_incident(check.incident_keys()[0])
    check.has_no_incidents().is_waiting_at("task")


def test_a_canceled_instance_is_terminated(client: Client) -> None:
    key = client.create_instance("one_task")
    client.cancel_instance(key)
    assert_instance(client, key).is_terminated().is_waiting_at().has_not_passed("task")
