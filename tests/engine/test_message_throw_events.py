"""Message intermediate throw and message end events are job-based, as send tasks are (#10
item 2): the event creates a job from its `zeebe:taskDefinition` (type and retries, static or
FEEL; headers; input mappings as the job's variables), waits ELEMENT_ACTIVATED, and completes
when the job completes (output mappings see the job's variables). Failing and throwing jobs
and cancelling the instance behave as for service tasks."""

from __future__ import annotations

from clients.client import Client
from clients.results import ActivatedJob
from clients.testing import assert_instance
from tests.engine.conftest import events, scenario


def _job(client: Client, job_type: str) -> ActivatedJob:
    [job] = client.activate_jobs(job_type, max_jobs=5, timeout=30)
    return job


def test_message_throw_and_end_events_wait_for_their_jobs(client: Client) -> None:
    client.deploy(scenario("message_throw.bpmn"))
    key = client.create_instance("message_throw", {"order": {"id": "o-7"}, "kind": "parcel"})
    assert_instance(client, key).is_waiting_at("notify").has_no_incidents()
    job = _job(client, "notify")
    assert job.element_id == "notify" and job.retries == 2
    assert job.custom_headers == {"channel": "mail"}
    assert job.variables["orderId"] == "o-7"
    client.complete_job(job.key, {"receipt": "r-1"})
    assert_instance(client, key).is_waiting_at("announce").has_variable("notified", "r-1")
    end_job = _job(client, "announce-parcel")  # type from FEEL
    assert end_job.element_id == "announce"
    client.complete_job(end_job.key)
    assert_instance(client, key).is_completed().has_passed_in_order("notify", "announce")


def test_a_message_throw_job_without_retries_is_an_incident(client: Client) -> None:
    client.deploy(scenario("message_throw.bpmn"))
    key = client.create_instance("message_throw", {"order": {"id": "o-8"}, "kind": "x"})
    job = _job(client, "notify")
    client.fail_job(job.key, retries=0, error_message="mail server down")
    assert_instance(client, key).has_incident("JOB_NO_RETRIES", element_id="notify")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    client.update_job_retries(job.key, 1)
    client.resolve_incident(incident["key"])
    client.complete_job(_job(client, "notify").key, {"receipt": "r-2"})
    assert_instance(client, key).is_waiting_at("announce")


def test_an_error_thrown_by_a_message_end_event_job_is_unhandled(client: Client) -> None:
    client.deploy(scenario("message_throw.bpmn"))
    key = client.create_instance("message_throw", {"order": {"id": "o-9"}, "kind": "x"})
    client.complete_job(_job(client, "notify").key, {"receipt": None})
    client.throw_error(_job(client, "announce-x").key, "NO_CARRIER", "nobody ships")
    assert_instance(client, key).has_incident("UNHANDLED_ERROR_EVENT", element_id="announce")


def test_a_job_type_that_fails_to_evaluate_is_an_incident(client: Client) -> None:
    client.deploy(scenario("message_throw.bpmn"))
    key = client.create_instance("message_throw", {"order": {"id": "o-10"}})
    client.complete_job(_job(client, "notify").key, {"receipt": "r"})
    assert_instance(client, key).has_incident("EXTRACT_VALUE_ERROR", element_id="announce")


def test_cancelling_the_instance_cancels_the_throw_event_job(client: Client) -> None:
    client.deploy(scenario("message_throw.bpmn"))
    key = client.create_instance("message_throw", {"order": {"id": "o-11"}, "kind": "x"})
    job = _job(client, "notify")
    client.cancel_instance(key)
    assert_instance(client, key).is_terminated()
    [canceled] = events(client, valueType="JOB", intent="CANCELED")
    assert canceled["key"] == job.key
