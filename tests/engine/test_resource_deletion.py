"""Scenarios: resource deletion (Zeebe 8.8's DeleteResource) — a process definition (the
previous version becomes the latest, its start events come back, versions are not reused; a
definition with running instances is refused), a decision requirements graph with its
decisions, a form, and an unknown key; on every partition."""

from __future__ import annotations

import pytest

from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceCreationIntent
from broker.protocol.values import ProcessInstanceCreationRecordValue
from clients.client import Client, connect
from clients.errors import InvalidStateError, NotFoundError
from processors.engine import Engine
from tests.engine.conftest import events, scenario, send_unchecked
from tests.engine.decision_models import discount_graph

_ONE_TASK = scenario("one_task.bpmn").read_bytes()


def _partitions(client: Client) -> set[int]:
    return set(range(1, client.transport.partition_count + 1))


def _on_partition_1(records: list[dict[str, object]]) -> list[dict[str, object]]:
    return [r for r in records if r["partitionId"] == 1]


def test_deleting_the_latest_version_makes_the_previous_one_the_latest(client: Client) -> None:
    v1 = client.deploy(_ONE_TASK).processes[0]
    v2 = client.deploy(_ONE_TASK.replace(b"fast", b"slow")).processes[0]
    assert v2.version == 2
    client.delete_resource(v2.process_definition_key)
    deleting = events(client, valueType="RESOURCE_DELETION", intent="DELETING")
    assert {r["partitionId"] for r in deleting} == _partitions(client)
    assert deleting[0]["value"]["resourceKey"] == v2.process_definition_key
    [deleted] = _on_partition_1(events(client, valueType="PROCESS", intent="DELETED"))
    assert deleted["value"]["version"] == 2
    assert deleted["value"]["processDefinitionKey"] == v2.process_definition_key
    instance = client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    assert job.process_definition_key == v1.process_definition_key
    assert job.process_instance_key == instance
    # the deleted definition starts nothing, and its version is not given again
    by_key = ProcessInstanceCreationRecordValue(process_definition_key=v2.process_definition_key)
    with pytest.raises(NotFoundError):
        send_unchecked(client, Record.command(ProcessInstanceCreationIntent.CREATE, by_key), 1)
    v3 = client.deploy(_ONE_TASK.replace(b"fast", b"slow")).processes[0]
    assert v3.version == 3 and not v3.duplicate


def test_a_definition_with_a_running_instance_is_not_deleted(client: Client) -> None:
    v1 = client.deploy(_ONE_TASK).processes[0]
    client.create_instance("one_task")
    with pytest.raises(InvalidStateError) as refused:
        client.delete_resource(v1.process_definition_key)
    assert refused.value.reason == (
        f"Expected to delete resource with key `{v1.process_definition_key}` but there are"
        " still running instances"
    )
    assert not events(client, valueType="PROCESS", intent="DELETING")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    client.delete_resource(v1.process_definition_key)
    with pytest.raises(NotFoundError) as gone:
        client.create_instance("one_task")
    assert gone.value.reason == (
        "Expected to find process definition with process ID 'one_task', but none found"
    )


def test_an_unknown_key_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as refused:
        client.delete_resource(2251799813685999)
    assert refused.value.reason == (
        "Expected to delete resource but no resource found with key `2251799813685999`"
    )


def test_the_start_events_of_the_previous_version_come_back(client: Client) -> None:
    v1 = client.deploy(scenario("timer_start.bpmn")).processes[0]
    v2 = client.deploy(scenario("timer_start_v2.bpmn")).processes[0]
    client.delete_resource(v2.process_definition_key)
    [canceled] = [
        r
        for r in events(client, valueType="TIMER", intent="CANCELED")
        if r["value"]["processDefinitionKey"] == v2.process_definition_key
    ]
    created = events(client, valueType="TIMER", intent="CREATED")
    assert [r["value"]["processDefinitionKey"] for r in created] == [
        v1.process_definition_key,
        v2.process_definition_key,
        v1.process_definition_key,
    ]
    assert canceled["key"] == created[1]["key"]


def test_message_start_subscriptions_move_back_to_the_previous_version(client: Client) -> None:
    message_start = scenario("message_start.bpmn").read_bytes()
    v1 = client.deploy(message_start).processes[0]
    v2 = client.deploy(message_start.replace(b"</bpmn:process>", b"</bpmn:process>\n")).processes[0]
    assert v2.version == 2
    client.delete_resource(v2.process_definition_key)
    deleted = events(client, valueType="MESSAGE_START_EVENT_SUBSCRIPTION", intent="DELETED")
    assert {r["value"]["processDefinitionKey"] for r in deleted} == {
        v1.process_definition_key,
        v2.process_definition_key,
    }
    created = events(client, valueType="MESSAGE_START_EVENT_SUBSCRIPTION", intent="CREATED")
    assert created[-1]["value"]["processDefinitionKey"] == v1.process_definition_key
    assert {r["partitionId"] for r in created[-len(_partitions(client)) :]} == _partitions(client)
    client.publish_message("order-placed", "o-1")
    [started] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
    )
    assert started["value"]["processDefinitionKey"] == v1.process_definition_key


def test_deleting_a_decision_graph_deletes_its_decisions(client: Client) -> None:
    first = client.deploy(discount_graph("0.2"))
    second = client.deploy(discount_graph("0.3"))
    assert client.evaluate_decision("discount", {"amount": 2000}).output == 0.3
    graph = second.decision_requirements[0]
    client.delete_resource(graph.decision_requirements_key)
    deleted = _on_partition_1(events(client, valueType="DECISION", intent="DELETED"))
    assert sorted(r["value"]["decisionId"] for r in deleted) == ["discount", "tier"]
    assert {r["value"]["version"] for r in deleted} == {2}
    [drg] = _on_partition_1(events(client, valueType="DECISION_REQUIREMENTS", intent="DELETED"))
    assert drg["value"]["decisionRequirementsKey"] == graph.decision_requirements_key
    result = client.evaluate_decision("discount", {"amount": 2000})
    assert result.output == 0.2
    assert result.decision_version == 1
    assert result.decision_key in {d.decision_key for d in first.decisions}
    with pytest.raises(NotFoundError):
        client.evaluate_decision(decision_key=second.decisions[0].decision_key)


def test_deleting_a_form(client: Client) -> None:
    deployment = client.deploy(scenario("review.form"))
    [form] = deployment.forms
    client.delete_resource(form.form_key)
    [deleted] = _on_partition_1(events(client, valueType="FORM", intent="DELETED"))
    assert deleted["value"]["formKey"] == form.form_key
    with pytest.raises(NotFoundError):
        client.delete_resource(form.form_key)


def test_signal_start_subscriptions_move_back_to_the_previous_version(client: Client) -> None:
    signal_start = scenario("signal_start.bpmn").read_bytes()
    v1 = client.deploy(signal_start).processes[0]
    v2 = client.deploy(signal_start.replace(b"</bpmn:process>", b"</bpmn:process>\n")).processes[0]
    client.delete_resource(v2.process_definition_key)
    created = events(client, valueType="SIGNAL_SUBSCRIPTION", intent="CREATED")
    assert created[-1]["value"]["processDefinitionKey"] == v1.process_definition_key
    client.broadcast_signal("start-batch")
    [started] = events(
        client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATED", bpmnElementType="PROCESS"
    )
    assert started["value"]["processDefinitionKey"] == v1.process_definition_key


def test_deleting_an_older_version_keeps_the_latest(client: Client) -> None:
    v1 = client.deploy(_ONE_TASK).processes[0]
    v2 = client.deploy(_ONE_TASK.replace(b"fast", b"slow")).processes[0]
    client.delete_resource(v1.process_definition_key)
    client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    assert job.process_definition_key == v2.process_definition_key


def test_replaying_the_log_rebuilds_the_state_after_deletions_exactly() -> None:
    with connect("memory://") as client:
        client.deploy(scenario("timer_start.bpmn"))
        v2 = client.deploy(scenario("timer_start_v2.bpmn")).processes[0]
        client.delete_resource(v2.process_definition_key)
        client.deploy(discount_graph("0.2"))
        graph = client.deploy(discount_graph("0.3")).decision_requirements[0]
        client.delete_resource(graph.decision_requirements_key)
        [form] = client.deploy(scenario("review.form")).forms
        client.delete_resource(form.form_key)
        client.deploy(_ONE_TASK)
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        replayed = Engine(1, 1)
        replayed.replay(runtime.logs[1])
        assert replayed.state.store.dump() == runtime.engines[1].state.store.dump()


def test_a_partition_with_a_running_instance_deletes_once_it_has_ended() -> None:
    """The deletion succeeds on partitions without instances of the definition; the partition
    that still runs one refuses the distributed command without acknowledging it, gets it
    again after the resend time, and deletes once its instance has ended (Zeebe 8.8)."""
    with connect("memory://?partitions=3") as client:
        definition = client.deploy(_ONE_TASK).processes[0].process_definition_key
        instances = [client.create_instance("one_task") for _ in range(3)]
        jobs = client.activate_jobs("work", max_jobs=3, timeout=600)
        assert sorted(j.process_instance_key for j in jobs) == sorted(instances)
        for job in jobs:
            if job.process_instance_key >> 51 != 2:
                client.complete_job(job.key)
        [left] = [j for j in jobs if j.process_instance_key >> 51 == 2]
        client.delete_resource(definition)
        deleted = events(client, valueType="PROCESS", intent="DELETED")
        assert sorted(r["partitionId"] for r in deleted) == [1, 3]
        [refused] = [
            r
            for r in client.records()
            if r["recordType"] == "COMMAND_REJECTION" and r["valueType"] == "RESOURCE_DELETION"
        ]
        assert (refused["partitionId"], refused["rejectionType"]) == (2, "INVALID_STATE")
        client.advance_time(11)  # sent again: still running there
        assert len(events(client, valueType="PROCESS", intent="DELETED")) == 2
        client.complete_job(left.key)
        client.advance_time(11)
        deleted = events(client, valueType="PROCESS", intent="DELETED")
        assert sorted(r["partitionId"] for r in deleted) == [1, 2, 3]
        finished = events(client, valueType="COMMAND_DISTRIBUTION", intent="FINISHED")
        assert finished[-1]["key"] == events(client, valueType="RESOURCE_DELETION")[0]["key"]
