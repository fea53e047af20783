"""Scenarios: process instance migration (PROCESS_INSTANCE_MIGRATION MIGRATE), as Zeebe does it:
every active element moves to its mapped target keeping its key; its job, user task, incident
and catch-event subscriptions move with it; the instance then follows the target's flow; each
precondition refuses the whole migration with Zeebe's rejection (docs/operations.md)."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceMigrationIntent
from broker.protocol.values import MappingInstruction, ProcessInstanceMigrationRecordValue
from clients.client import Client, connect
from clients.errors import InvalidArgumentError, InvalidStateError, NotFoundError
from clients.testing import assert_instance
from processors.engine.engine import Engine
from tests.engine.conftest import events, scenario, send_unchecked


def _deploy(client: Client, name: str) -> int:
    [process] = client.deploy(scenario(name)).processes
    return process.process_definition_key


def _migrated(client: Client, **match: Any) -> list[dict[str, Any]]:
    return events(client, intent="ELEMENT_MIGRATED", valueType="PROCESS_INSTANCE", **match)


def test_a_waiting_job_keeps_its_key_and_the_instance_follows_the_new_version(
    client: Client,
) -> None:
    _deploy(client, "migrate_order_v1.bpmn")
    instance = client.create_instance("migrate_order")
    [job] = client.activate_jobs("pay", max_jobs=1, timeout=600, worker="w")
    v2 = _deploy(client, "migrate_order_v2.bpmn")

    client.migrate_instance(instance, v2, {"pay": "charge"})

    [process, task] = _migrated(client)
    assert (process["key"], process["value"]["version"]) == (instance, 2)
    assert task["key"] == job.element_instance_key
    assert task["value"]["elementId"] == "charge"
    assert task["value"]["processDefinitionKey"] == v2
    [moved] = events(client, valueType="JOB", intent="MIGRATED")
    assert moved["key"] == job.key and moved["value"]["elementId"] == "charge"
    [done] = events(client, valueType="PROCESS_INSTANCE_MIGRATION", intent="MIGRATED")
    assert done["key"] == instance
    # v2's boundary timer of the mapped task is subscribed when the task migrates
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    assert timer["value"]["targetElementId"] == "too_slow"

    client.complete_job(job.key)  # the worker that held the job before completes it
    [ship] = client.activate_jobs("ship", max_jobs=1, timeout=60, worker="w")
    client.complete_job(ship.key)
    assert_instance(client, instance).is_completed().has_passed("charge", "ship")
    assert events(client, valueType="TIMER", intent="CANCELED")


def test_a_boundary_timer_of_the_target_fires_after_migration(client: Client) -> None:
    _deploy(client, "migrate_order_v1.bpmn")
    instance = client.create_instance("migrate_order")
    v2 = _deploy(client, "migrate_order_v2.bpmn")
    client.migrate_instance(instance, v2, {"pay": "charge"})
    client.advance_time(3601)
    assert_instance(client, instance).is_completed().has_passed("too_slow", "escalated")


def test_an_unmapped_boundary_timer_of_the_source_is_cancelled(client: Client) -> None:
    v2 = _deploy(client, "migrate_order_v2.bpmn")
    instance = client.create_instance("migrate_order", version=1)
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    v1 = _deploy(client, "migrate_order_v1.bpmn")
    assert v1 != v2
    client.migrate_instance(instance, v1, {"charge": "pay"})
    [cancelled] = events(client, valueType="TIMER", intent="CANCELED")
    assert cancelled["key"] == timer["key"]
    client.advance_time(3601)
    assert_instance(client, instance).is_waiting_at("pay")


def test_a_mapped_boundary_timer_keeps_its_key_and_due_date(client: Client) -> None:
    v2 = _deploy(client, "migrate_order_v2.bpmn")
    instance = client.create_instance("migrate_order")
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    client.advance_time(1800)
    client.migrate_instance(instance, v2, {"charge": "charge", "too_slow": "too_slow"})
    [moved] = events(client, valueType="TIMER", intent="MIGRATED")
    assert moved["key"] == timer["key"]
    assert moved["value"]["dueDate"] == timer["value"]["dueDate"]
    client.advance_time(1801)
    assert_instance(client, instance).is_completed().has_passed("escalated")


def test_a_message_catch_event_and_a_user_task_move_to_another_process(client: Client) -> None:
    _deploy(client, "migrate_wait_v1.bpmn")
    target = _deploy(client, "migrate_wait_v2.bpmn")
    instance = client.create_instance("migrate_wait", {"orderId": "o-1"})

    client.migrate_instance(instance, target, {"wait": "wait_paid"})

    [subscription] = events(client, valueType="PROCESS_MESSAGE_SUBSCRIPTION", intent="MIGRATED")
    assert subscription["value"]["elementId"] == "wait_paid"
    assert subscription["value"]["bpmnProcessId"] == "migrate_wait2"
    # the message partition's half of the subscription learns it too
    [half] = events(client, valueType="MESSAGE_SUBSCRIPTION", intent="MIGRATED")
    assert (half["value"]["bpmnProcessId"], half["value"]["elementId"]) == (
        "migrate_wait2",
        "wait_paid",
    )
    assert half["value"]["processDefinitionKey"] == target
    client.publish_message("paid", "o-1", {"amount": 5})
    [task] = events(client, valueType="USER_TASK", intent="CREATED")
    assert task["value"]["elementId"] == "review2"
    client.complete_user_task(task["key"])
    [archive] = client.activate_jobs("archive", max_jobs=1, timeout=60, worker="w")
    client.complete_job(archive.key)
    assert_instance(client, instance).is_completed().has_passed("wait_paid", "review2")


def test_a_waiting_user_task_keeps_its_key(client: Client) -> None:
    _deploy(client, "migrate_wait_v1.bpmn")
    target = _deploy(client, "migrate_wait_v2.bpmn")
    instance = client.create_instance("migrate_wait", {"orderId": "o-2"})
    client.publish_message("paid", "o-2")
    [task] = events(client, valueType="USER_TASK", intent="CREATED")
    client.claim_user_task(task["key"], "ann")

    client.migrate_instance(instance, target, {"review": "review2"})

    [moved] = events(client, valueType="USER_TASK", intent="MIGRATED")
    assert moved["key"] == task["key"]
    assert (moved["value"]["elementId"], moved["value"]["assignee"]) == ("review2", "ann")
    client.complete_user_task(task["key"])
    assert_instance(client, instance).is_waiting_at("archive")


def test_an_incident_stays_and_is_resolved_on_the_new_version(client: Client) -> None:
    _deploy(client, "migrate_order_v1.bpmn")
    instance = client.create_instance("migrate_order")
    [job] = client.activate_jobs("pay", max_jobs=1, timeout=60, worker="w")
    client.fail_job(job.key, 0, "card declined")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    v2 = _deploy(client, "migrate_order_v2.bpmn")

    client.migrate_instance(instance, v2, {"pay": "charge"})

    [moved] = events(client, valueType="INCIDENT", intent="MIGRATED")
    assert moved["key"] == incident["key"]
    assert (moved["value"]["elementId"], moved["value"]["processDefinitionKey"]) == (
        "charge",
        v2,
    )
    assert_instance(client, instance).has_incident("JOB_NO_RETRIES")
    client.update_job_retries(job.key, 1)
    client.resolve_incident(incident["key"])
    [again] = client.activate_jobs("pay", max_jobs=1, timeout=60, worker="w")
    assert (again.key, again.element_id) == (job.key, "charge")
    client.complete_job(again.key)
    assert_instance(client, instance).is_waiting_at("ship").has_no_incidents()


# -- rejections


def _other(client: Client) -> tuple[int, int]:
    """An instance of migrate_other waiting inside `sub` at `inner`, and the definition."""
    definition = _deploy(client, "migrate_refusals.bpmn")
    return client.create_instance("migrate_other"), definition


def test_an_unknown_instance_or_target_is_not_found(client: Client) -> None:
    instance, definition = _other(client)
    with pytest.raises(NotFoundError) as unknown:
        client.migrate_instance(instance + 1000, definition, {})
    assert unknown.value.reason == (
        "Expected to migrate process instance but no process instance found with key"
        f" '{instance + 1000}'"
    )
    with pytest.raises(NotFoundError) as no_target:
        client.migrate_instance(instance, definition + 1000, {})
    assert no_target.value.reason == (
        "Expected to migrate process instance to process definition but no process definition"
        f" found with key '{definition + 1000}'"
    )


def test_an_active_element_without_a_mapping_is_refused(client: Client) -> None:
    instance, definition = _other(client)
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, definition, {"sub": "sub"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but no mapping instruction defined"
        " for active element with id 'inner'. Elements cannot be migrated without a mapping."
    )
    assert not _migrated(client)  # nothing of the refused migration stays


def test_mapping_instructions_are_checked(client: Client) -> None:
    instance, definition = _other(client)
    twice = Record.command(
        ProcessInstanceMigrationIntent.MIGRATE,
        ProcessInstanceMigrationRecordValue(
            process_instance_key=instance,
            target_process_definition_key=definition,
            mapping_instructions=(MappingInstruction("sub", "sub"), MappingInstruction("sub", "x")),
        ),
        key=instance,
    )
    with pytest.raises(InvalidArgumentError) as duplicate:
        send_unchecked(client, twice)  # a dict cannot say it twice: as another client might
    assert duplicate.value.reason == (
        f"Expected to migrate process instance '{instance}' but the mapping instructions contain"
        " duplicate source element ids '[sub]'."
    )
    with pytest.raises(InvalidArgumentError) as no_source:
        client.migrate_instance(instance, definition, {"nowhere": "sub"})
    assert no_source.value.reason == (
        f"Expected to migrate process instance '{instance}' but mapping instructions contain a"
        " non-existing source element id 'nowhere'. Elements provided in mapping instructions"
        " must exist in the source process definition."
    )
    with pytest.raises(InvalidArgumentError) as no_target:
        client.migrate_instance(instance, definition, {"sub": "nowhere"})
    assert "non-existing target element id 'nowhere'" in no_target.value.reason


def test_an_element_mapped_to_another_type_is_refused(client: Client) -> None:
    instance, definition = _other(client)
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, definition, {"sub": "sub", "inner": "approve"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'inner'"
        " and type 'SERVICE_TASK' is mapped to an element with id 'approve' and different type"
        " 'USER_TASK'. Elements must be mapped to elements of the same type."
    )


def test_an_element_moved_to_another_flow_scope_is_refused(client: Client) -> None:
    _deploy(client, "migrate_order_v1.bpmn")
    instance = client.create_instance("migrate_order")
    other = _deploy(client, "migrate_refusals.bpmn")
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, other, {"pay": "inner"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but the flow scope of active"
        " element with id 'pay' is changed. The flow scope of the active element is expected"
        " to be 'migrate_other' but was 'sub'. The flow scope of an element cannot be changed"
        " during migration yet."
    )


def test_a_user_task_of_another_implementation_is_refused(client: Client) -> None:
    instance, definition = _other(client)
    [job] = client.activate_jobs("pay", max_jobs=1, timeout=60, worker="w")
    client.complete_job(job.key)
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, definition, {"approve": "legacy"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but active user task with id"
        " 'approve' and implementation 'zeebe user task' is mapped to an user task with id"
        " 'legacy' and different implementation 'job worker'. Elements must be mapped to"
        " elements of the same implementation."
    )


def test_a_multi_instance_body_and_its_inner_instances_migrate(client: Client) -> None:
    _deploy(client, "migrate_many_v1.bpmn")
    instance = client.create_instance("migrate_many")
    jobs = client.activate_jobs("item", max_jobs=3, timeout=600, worker="w")
    assert len(jobs) == 3
    client.complete_job(jobs[0].key)
    v2 = _deploy(client, "migrate_many_v2.bpmn")

    client.migrate_instance(instance, v2, {"each": "each_item"})

    migrated = _migrated(client)
    assert [m["value"]["bpmnElementType"] for m in migrated] == [
        "PROCESS",
        "MULTI_INSTANCE_BODY",
        "SERVICE_TASK",
        "SERVICE_TASK",
    ]
    assert {m["value"]["elementId"] for m in migrated[1:]} == {"each_item"}
    for job in jobs[1:]:
        client.complete_job(job.key)
    [report] = client.activate_jobs("report", max_jobs=1, timeout=60, worker="w")
    client.complete_job(report.key)
    assert_instance(client, instance).is_completed().has_variable("results", [10, 20, 30])


def test_a_multi_instance_body_cannot_change_its_loop(client: Client) -> None:
    _deploy(client, "migrate_many_v1.bpmn")
    instance = client.create_instance("migrate_many")
    v2 = _deploy(client, "migrate_many_v2.bpmn")
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, v2, {"each": "one_by_one"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but active multi-instance element"
        " with id 'each' is parallel and is mapped to an element with id 'one_by_one' that is"
        " sequential. A multi-instance element cannot change from sequential to parallel or"
        " back."
    )
    with pytest.raises(InvalidStateError) as to_a_task:
        client.migrate_instance(instance, v2, {"each": "report"})
    assert "and type 'MULTI_INSTANCE_BODY' is mapped to an element with id 'report' and" in (
        to_a_task.value.reason
    )


def test_an_element_of_an_unsupported_type_is_refused(client: Client) -> None:
    definition = _deploy(client, "event_gateway.bpmn")
    instance = client.create_instance("event_gateway", {"soon": "PT10S"})
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, definition, {"gateway": "gateway"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but active element with id"
        " 'gateway' has an unsupported type. The migration of a EVENT_BASED_GATEWAY is not"
        " supported."
    )


def test_the_client_checks_its_arguments(client: Client) -> None:
    with pytest.raises(InvalidArgumentError) as bad:
        client.migrate_instance(1, 2, ["pay"])  # type: ignore[arg-type]
    assert bad.value.argument == "mappings"


def test_replaying_the_log_rebuilds_the_migrated_instances_exactly() -> None:
    with connect("memory://") as client:
        v2 = _deploy(client, "migrate_order_v2.bpmn")
        first = client.create_instance("migrate_order")
        _deploy(client, "migrate_wait_v1.bpmn")
        target = _deploy(client, "migrate_wait_v2.bpmn")
        waiting = client.create_instance("migrate_wait", {"orderId": "o-3"})
        client.publish_message("paid", "o-3")
        v1 = _deploy(client, "migrate_order_v1.bpmn")
        second = client.create_instance("migrate_order")
        [job] = client.activate_jobs("pay", max_jobs=1, timeout=60, worker="w")
        client.fail_job(job.key, 0, "no")
        client.migrate_instance(first, v1, {"charge": "pay"})
        client.migrate_instance(second, v2, {"pay": "charge"})
        client.migrate_instance(waiting, target, {"review": "review2"})
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        live = runtime.engines[1]
        replayed = Engine(1, 1)
        replayed.replay(runtime.logs[1])
        assert replayed.state.store.dump() == live.state.store.dump()


def test_the_source_version_can_be_deleted_once_its_instances_are_migrated(
    client: Client,
) -> None:
    v1 = _deploy(client, "migrate_order_v1.bpmn")
    instance = client.create_instance("migrate_order")
    v2 = _deploy(client, "migrate_order_v2.bpmn")
    with pytest.raises(InvalidStateError):
        client.delete_resource(v1)
    client.migrate_instance(instance, v2, {"pay": "charge"})
    client.delete_resource(v1)
    assert_instance(client, instance).is_waiting_at("charge")


def test_a_call_activity_migrates_and_its_parent_goes_on_in_the_target(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_parent.bpmn"))
    parent = client.create_instance("call_parent")
    v2_xml = (
        scenario("call_parent.bpmn")
        .read_bytes()
        .replace(b'targetRef="end"', b'targetRef="audit"')
        .replace(
            b'<bpmn:endEvent id="end" />',
            b'<bpmn:serviceTask id="audit"><bpmn:extensionElements>'
            b'<zeebe:taskDefinition type="audit" /></bpmn:extensionElements></bpmn:serviceTask>'
            b'<bpmn:sequenceFlow id="f3" sourceRef="audit" targetRef="end" />'
            b'<bpmn:endEvent id="end" />',
        )
    )
    [v2] = client.deploy(v2_xml).processes
    client.migrate_instance(parent, v2.process_definition_key, {"call": "call"})
    [child_job] = client.activate_jobs("child", max_jobs=1, timeout=60, worker="w")
    client.complete_job(child_job.key)  # the called instance, untouched, completes
    [audit] = client.activate_jobs("audit", max_jobs=1, timeout=60, worker="w")
    assert audit.process_instance_key == parent
    client.complete_job(audit.key)
    assert_instance(client, parent).is_completed().has_passed("call", "audit")


def test_an_element_inside_a_subprocess_migrates_within_its_mapped_subprocess(
    client: Client,
) -> None:
    definition = _deploy(client, "migrate_refusals.bpmn")
    instance = client.create_instance("migrate_other")
    renamed = (
        scenario("migrate_refusals.bpmn")
        .read_bytes()
        .replace(b'"sub"', b'"stage"')
        .replace(b'"inner"', b'"work"')
    )
    [v2] = client.deploy(renamed).processes
    assert v2.process_definition_key != definition
    client.migrate_instance(instance, v2.process_definition_key, {"sub": "stage", "inner": "work"})
    [job] = client.activate_jobs("pay", max_jobs=1, timeout=60, worker="w")
    assert job.element_id == "work"
    client.complete_job(job.key)
    assert_instance(client, instance).has_passed("work", "stage").is_waiting_at("approve")


def test_an_element_stopped_while_activating_opens_the_targets_catch_events_when_resumed(
    client: Client,
) -> None:
    blocked = (
        scenario("migrate_order_v1.bpmn")
        .read_bytes()
        .replace(
            b'<zeebe:taskDefinition type="pay" retries="3" />',
            b'<zeebe:taskDefinition type="pay" retries="3" />'
            b'<zeebe:ioMapping><zeebe:input source="=amount + 1" target="total" />'
            b"</zeebe:ioMapping>",
        )
    )
    client.deploy(blocked)
    instance = client.create_instance("migrate_order")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    v2 = _deploy(client, "migrate_order_v2.bpmn")
    client.migrate_instance(instance, v2, {"pay": "charge"})
    assert not events(client, valueType="TIMER", intent="CREATED")  # not entered yet
    client.resolve_incident(incident["key"])  # runs as v2 defines it: no input mapping
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    assert timer["value"]["targetElementId"] == "too_slow"
    assert_instance(client, instance).is_waiting_at("charge").has_no_incidents()


def test_a_job_based_user_task_becomes_a_camunda_user_task(client: Client) -> None:
    _deploy(client, "migrate_review_v1.bpmn")
    instance = client.create_instance("migrate_review")
    [job] = events(client, valueType="JOB", intent="CREATED")
    v2 = _deploy(client, "migrate_review_v2.bpmn")

    client.migrate_instance(instance, v2, {"review": "review"})

    [task] = events(client, valueType="USER_TASK", intent="CREATED")
    value = task["value"]
    assert (value["elementId"], value["processDefinitionKey"]) == ("review", v2)
    assert list(value["candidateGroupsList"]) == ["clerks", "managers"]
    assert value["dueDate"] == "2030-01-31T12:00:00Z"
    assert value["externalFormReference"] == "https://forms.example/review"
    [assigned] = events(client, valueType="USER_TASK", intent="ASSIGNED")
    assert assigned["value"]["assignee"] == "demo"
    [canceled] = events(client, valueType="JOB", intent="CANCELED")
    assert canceled["key"] == job["key"]
    assert client.activate_jobs("io.camunda.zeebe:userTask", max_jobs=1, timeout=60) == []
    client.complete_user_task(task["key"])
    assert_instance(client, instance).is_completed()


def test_a_job_based_user_task_with_an_embedded_form_stays_one(client: Client) -> None:
    client.deploy(scenario("user_task.bpmn"))
    instance = client.create_instance("user_task")
    target = (
        scenario("user_task.bpmn")
        .read_bytes()
        .replace(b"<zeebe:formDefinition", b"<zeebe:userTask /><zeebe:formDefinition")
    )
    [v2] = client.deploy(target).processes
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, v2.process_definition_key, {"review": "review"})
    assert refused.value.reason == (
        "Migrating Job-based User Task to User Task with embedded form is not supported"
    )


def test_a_message_started_instance_may_not_join_a_process_holding_its_correlation_key(
    client: Client,
) -> None:
    client.deploy(scenario("message_start.bpmn"))
    other = (
        scenario("message_start.bpmn")
        .read_bytes()
        .replace(b'id="message_start"', b'id="message_start_b"')
        .replace(b'name="order-placed"', b'name="order-placed-b"')
    )
    [target] = client.deploy(other).processes
    client.publish_message("order-placed", "k-1")
    client.publish_message("order-placed-b", "k-1")
    [started] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
        bpmnProcessId="message_start",
    )
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(started["key"], target.process_definition_key, {"handle": "handle"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{started['key']}' but target process"
        f" definition '{target.process_definition_key}' has an active instance triggered by a"
        " message start event with correlation key 'k-1'. Only one instance per correlation"
        " key is allowed for message start events."
    )
    client.publish_message("order-placed", "k-2")  # a key no instance of the target holds
    [free] = [
        e
        for e in events(
            client,
            valueType="PROCESS_INSTANCE",
            intent="ELEMENT_ACTIVATED",
            bpmnElementType="PROCESS",
            bpmnProcessId="message_start",
        )
        if e["key"] != started["key"]
    ]
    client.migrate_instance(free["key"], target.process_definition_key, {"handle": "handle"})
    assert _migrated(client, bpmnProcessId="message_start_b")


def test_boundary_message_subscriptions_are_kept_only_when_mapped(client: Client) -> None:
    definition = _deploy(client, "message_boundary.bpmn")
    instance = client.create_instance("message_boundary", {"orderId": "o-7"})
    client.publish_message("remind", "o-7")  # the non-interrupting one fires once
    # the target's boundary events would subscribe to the messages the task waits for
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, definition, {"work": "work"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'work'"
        " attempts to subscribe to a message it is already subscribed to with name"
        " 'cancel-order'. Migrating active elements that subscribe to a message they are"
        " already subscribed to is not possible yet. Please provide a mapping instruction to"
        " message catch event with id 'cancelled' to migrate the respective message"
        " subscription."
    )
    client.migrate_instance(
        instance, definition, {"work": "work", "cancelled": "cancelled", "reminded": "reminded"}
    )
    assert len(events(client, valueType="PROCESS_MESSAGE_SUBSCRIPTION", intent="MIGRATED")) == 2
    client.publish_message("cancel-order", "o-7")
    assert_instance(client, instance).is_completed().has_passed("cancelled", "cancel_end")


def test_a_joining_gateway_that_waits_is_refused(client: Client) -> None:
    definition = _deploy(client, "parallel.bpmn")
    instance = client.create_instance("parallel")
    [a] = client.activate_jobs("a", max_jobs=1, timeout=60, worker="w")
    client.migrate_instance(instance, definition, {"a": "a", "b": "b"})  # before: allowed
    client.complete_job(a.key)  # the join now waits for b
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, definition, {"b": "b"})
    assert refused.value.reason == (
        f"Expected to migrate process instance '{instance}' but the joining gateway with id"
        " 'join' in the scope of element 'parallel' waits for more incoming sequence flows."
        " Migrating a gateway that waits to join is not possible yet."
    )


def test_catch_event_mappings_are_checked(client: Client) -> None:
    v2 = _deploy(client, "migrate_order_v2.bpmn")
    instance = client.create_instance("migrate_order")
    with pytest.raises(InvalidStateError) as detached:
        client.migrate_instance(instance, v2, {"charge": "charge", "too_slow": "escalated"})
    assert detached.value.reason == (
        f"Expected to migrate process instance '{instance}' but active element with id"
        " 'charge' is mapped to an element with id 'charge' and has a catch event with id"
        " 'too_slow' that is mapped to a catch event with id 'escalated'. There are multiple"
        " mapping instructions or a mapping instruction that detaches the catch event from the"
        " element in the target process. Catch events must stay attached to the same element"
        " instance."
    )
    waiting = _deploy(client, "migrate_wait_v1.bpmn")
    other = client.create_instance("migrate_wait", {"orderId": "o-9"})
    with pytest.raises(InvalidStateError) as to_a_timer:
        client.migrate_instance(other, v2, {"wait": "too_slow"})
    assert "and type 'INTERMEDIATE_CATCH_EVENT' is mapped to an element with id 'too_slow'" in (
        to_a_timer.value.reason
    )
    assert waiting


def test_a_catch_event_of_the_target_that_cannot_be_evaluated_is_refused(client: Client) -> None:
    _deploy(client, "migrate_order_v1.bpmn")
    instance = client.create_instance("migrate_order")
    broken = (
        scenario("migrate_order_v2.bpmn")
        .read_bytes()
        .replace(
            b"<bpmn:timeDuration>PT1H</bpmn:timeDuration>",
            b"<bpmn:timeDuration>=wait</bpmn:timeDuration>",
        )
    )
    [v2] = client.deploy(broken).processes
    with pytest.raises(InvalidStateError) as refused:
        client.migrate_instance(instance, v2.process_definition_key, {"pay": "charge"})
    assert refused.value.reason.startswith(
        f"Expected to migrate process instance '{instance}' but active element with id 'pay'"
        " is mapped to element with id 'charge' that must be subscribed to a catch event. "
    )
    assert "wait" in refused.value.reason
    client.set_variables(instance, {"wait": "PT5M"})
    client.migrate_instance(instance, v2.process_definition_key, {"pay": "charge"})
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    assert timer["value"]["targetElementId"] == "too_slow"
