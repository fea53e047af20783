"""Scenarios: Camunda user tasks (`zeebe:userTask`) — USER_TASK records with the task's
assignment, schedule, priority and form; assign, claim, unassign, update and complete through
the client; cancellation with the element; a timer boundary escalating an overdue task; forms
deployed with the process; and state rebuilt by replaying the log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from clients.client import Client, connect, connect_async
from clients.errors import InvalidArgumentError, RejectedError
from processors.engine.engine import Engine
from tests.engine.conftest import completed_elements, events, scenario, variables_of


def _start(client: Client, process: str = "camunda_user_task", **variables: Any) -> int:
    client.deploy(scenario(f"{process}.bpmn"))
    instance: int = client.create_instance(process, variables)
    return instance


def _task(client: Client, instance: int, element_id: str | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {"processInstanceKey": instance}
    if element_id is not None:
        match["elementId"] = element_id
    [created] = events(client, valueType="USER_TASK", intent="CREATED", **match)
    return created


def _forms(client: Client) -> list[dict[str, Any]]:
    """FORM CREATED on the deployment's partition (every other partition gets a copy)."""
    return [f for f in events(client, valueType="FORM", intent="CREATED") if f["partitionId"] == 1]


def _intents(client: Client, key: int) -> list[str]:
    return [
        r["intent"] for r in client.records() if r["valueType"] == "USER_TASK" and r["key"] == key
    ]


def test_a_camunda_user_task_is_created_with_its_properties_and_no_job(client: Client) -> None:
    instance = _start(client)
    task = _task(client, instance)
    value = task["value"]
    assert value["userTaskKey"] == task["key"]
    assert list(value["candidateGroupsList"]) == ["clerks", "managers"]
    assert list(value["candidateUsersList"]) == ["ann"]
    assert value["dueDate"] == "2030-01-31T12:00:00Z"
    assert value["priority"] == 70
    assert value["externalFormReference"] == "https://forms.example/review"
    assert value["customHeaders"] == {"kind": "review"}
    assert value["elementId"] == "review" and value["assignee"] == ""
    assert _intents(client, task["key"]) == ["CREATING", "CREATED"]
    assert not events(client, valueType="JOB")
    assert client.activate_jobs("io.camunda.zeebe:userTask", max_jobs=5, timeout=60) == []


def test_assign_and_unassign(client: Client) -> None:
    key = _task(client, _start(client))["key"]
    assigned = client.assign_user_task(key, "ann")
    assert (assigned.assignee, assigned.action) == ("ann", "assign")
    assert client.assign_user_task(key, "bob", action="delegate").assignee == "bob"
    unassigned = client.unassign_user_task(key)
    assert (unassigned.assignee, unassigned.action) == ("", "unassign")
    assert _intents(client, key)[2:] == ["ASSIGN", "ASSIGNING", "ASSIGNED"] * 3
    [*_, last] = events(client, valueType="USER_TASK", intent="ASSIGNED")
    assert list(last["value"]["changedAttributes"]) == ["assignee"]
    assert [
        e["value"]["action"] for e in events(client, valueType="USER_TASK", intent="ASSIGNED")
    ] == [
        "assign",
        "delegate",
        "unassign",
    ]


def test_claim_is_refused_when_someone_else_holds_the_task(client: Client) -> None:
    key = _task(client, _start(client))["key"]
    claimed = client.claim_user_task(key, "ann")
    assert (claimed.assignee, claimed.action) == ("ann", "claim")
    assert client.claim_user_task(key, "ann").assignee == "ann"  # the holder again: fine
    with pytest.raises(RejectedError) as refused:
        client.claim_user_task(key, "bob")
    assert refused.value.rejection_type == "INVALID_STATE"
    assert "already been assigned to 'ann'" in str(refused.value)
    assert _intents(client, key)[2:6] == ["CLAIM", "CLAIMING", "ASSIGNED", "CLAIM"]
    client.unassign_user_task(key)
    assert client.claim_user_task(key, "bob").assignee == "bob"


def test_update_lists_the_changed_attributes(client: Client) -> None:
    key = _task(client, _start(client))["key"]
    updated = client.update_user_task(
        key,
        priority=10,
        due_date=None,
        candidate_groups=["audit"],
        follow_up_date="2030-01-01T08:00:00+01:00",
    )
    assert updated.changed_attributes == (
        "candidateGroupsList",
        "dueDate",
        "followUpDate",
        "priority",
    )
    assert (updated.priority, updated.due_date, updated.candidate_groups) == (10, "", ("audit",))
    assert updated.candidate_users == ("ann",)  # not given: unchanged
    [record] = events(client, valueType="USER_TASK", intent="UPDATED")
    assert record["value"]["followUpDate"] == "2030-01-01T08:00:00+01:00"
    assert _intents(client, key)[2:] == ["UPDATE", "UPDATING", "UPDATED"]
    with pytest.raises(RejectedError) as refused:
        client.update_user_task(key, due_date="tomorrow")
    assert refused.value.rejection_type == "INVALID_ARGUMENT" and "dueDate" in str(refused.value)


def test_complete_with_variables_merges_them_and_applies_output_mappings(client: Client) -> None:
    instance = _start(client)
    key = _task(client, instance)["key"]
    done = client.complete_user_task(key, {"approved": True, "comment": "fine"})
    assert done.action == "complete"
    assert _intents(client, key)[2:] == ["COMPLETE", "COMPLETING", "COMPLETED"]
    [completed] = events(client, valueType="USER_TASK", intent="COMPLETED")
    assert completed["value"]["variables"] == {"approved": True, "comment": "fine"}
    assert completed_elements(client, instance)[-3:] == ["review", "end", "camunda_user_task"]
    # with an output mapping the task's variables stay local; the mapped one reaches the process
    assert variables_of(client, instance) == {"reviewApproved": True}
    with pytest.raises(RejectedError) as gone:
        client.complete_user_task(key)
    assert gone.value.rejection_type == "NOT_FOUND"


def test_commands_on_an_unknown_task_are_not_found(client: Client) -> None:
    _start(client)
    for call in (
        lambda: client.assign_user_task(2251799813685999, "ann"),
        lambda: client.claim_user_task(2251799813685999, "ann"),
        lambda: client.update_user_task(2251799813685999, priority=1),
        lambda: client.complete_user_task(2251799813685999),
    ):
        with pytest.raises(RejectedError) as refused:
            call()
        assert refused.value.rejection_type == "NOT_FOUND"
        assert "no such user task" in str(refused.value)


def test_cancelling_the_instance_cancels_the_task(client: Client) -> None:
    instance = _start(client)
    key = _task(client, instance)["key"]
    client.claim_user_task(key, "ann")
    client.cancel_instance(instance)
    assert _intents(client, key)[-2:] == ["CANCELING", "CANCELED"]
    with pytest.raises(RejectedError) as gone:
        client.complete_user_task(key)
    assert gone.value.rejection_type == "NOT_FOUND"


def test_a_timer_boundary_escalates_an_overdue_task(client: Client) -> None:
    instance = _start(client)
    key = _task(client, instance, "review")["key"]
    client.advance_time(3600)
    assert _intents(client, key)[-2:] == ["CANCELING", "CANCELED"]
    escalated = _task(client, instance, "escalate")
    assert escalated["value"]["priority"] == 100
    [assigned] = events(client, valueType="USER_TASK", intent="ASSIGNED", elementId="escalate")
    assert assigned["value"]["assignee"] == "boss"
    client.complete_user_task(escalated["key"])
    assert completed_elements(client, instance)[-2:] == ["escalated_end", "camunda_user_task"]


def test_assignment_schedule_and_priority_from_feel(client: Client) -> None:
    instance = _start(
        client,
        "camunda_user_task_feel",
        owner="ann",
        teams=["sales", "audit"],
        due="2030-02-01T09:00:00+01:00",
        urgent=True,
    )
    value = _task(client, instance)["value"]
    assert list(value["candidateGroupsList"]) == ["sales", "audit"]
    assert list(value["candidateUsersList"]) == ["ann", "bob"]
    assert value["dueDate"] == "2030-02-01T09:00:00+01:00"
    assert value["followUpDate"].startswith("2030-01-31T09:00:00")
    assert value["priority"] == 90
    [assigned] = events(
        client, valueType="USER_TASK", intent="ASSIGNED", processInstanceKey=instance
    )
    assert assigned["value"]["assignee"] == "ann"


def test_a_failing_assignment_expression_is_an_incident(client: Client) -> None:
    instance = _start(
        client, "camunda_user_task_feel", owner="ann", teams="sales", due=None, urgent=False
    )
    [incident] = events(client, valueType="INCIDENT", intent="CREATED", processInstanceKey=instance)
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "'teams' to be 'ARRAY', but was 'STRING'" in incident["value"]["errorMessage"]
    assert not events(client, valueType="USER_TASK")
    client.set_variables(instance, {"teams": ["sales"]})
    client.resolve_incident(incident["key"])
    assert list(_task(client, instance)["value"]["candidateGroupsList"]) == ["sales"]


def test_a_form_deployed_with_the_process_is_linked_to_the_task(client: Client) -> None:
    deployment = client.deploy(scenario("camunda_user_task_form.bpmn"), scenario("review.form"))
    [form] = _forms(client)
    assert form["value"]["formId"] == "review-form" and form["value"]["version"] == 1
    assert form["value"]["deploymentKey"] == deployment.key
    [created] = [
        d for d in events(client, valueType="DEPLOYMENT", intent="CREATED") if d["partitionId"] == 1
    ]
    [meta] = created["value"]["formMetadata"]
    assert (meta["formId"], meta["formKey"], meta["duplicate"]) == (
        "review-form",
        form["key"],
        False,
    )
    instance = client.create_instance("camunda_user_task_form")
    assert _task(client, instance)["value"]["formKey"] == form["key"]
    # deployed again unchanged: a duplicate, same version and key
    client.deploy(scenario("camunda_user_task_form.bpmn"), scenario("review.form"))
    [*_, again] = events(client, valueType="DEPLOYMENT", intent="CREATED")
    assert again["value"]["formMetadata"][0]["duplicate"] is True
    assert len(_forms(client)) == 1


def test_a_changed_form_gets_a_new_version_that_latest_binding_finds(
    client: Client, tmp_path: Path
) -> None:
    client.deploy(scenario("review.form"))
    changed = json.loads(scenario("review.form").read_text())
    changed["components"] = []
    path = tmp_path / "review.form"
    path.write_text(json.dumps(changed))
    client.deploy(path)
    versions = [f["value"]["version"] for f in _forms(client)]
    assert versions == [1, 2]
    instance = _start(client, "camunda_user_task_form_latest")
    [*_, latest] = _forms(client)
    assert _task(client, instance)["value"]["formKey"] == latest["key"]


def test_a_missing_form_is_a_form_not_found_incident(client: Client) -> None:
    instance = _start(client, "camunda_user_task_form_latest")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED", processInstanceKey=instance)
    assert incident["value"]["errorType"] == "FORM_NOT_FOUND"
    assert "'review-form'" in incident["value"]["errorMessage"]
    client.deploy(scenario("review.form"))
    client.resolve_incident(incident["key"])
    assert _task(client, instance)["value"]["formKey"] > 0


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ({"bad.form": "{}"}, "'bad.form': Expected the form to have a non-empty string 'id'"),
        ({"bad.form": "[1"}, "'bad.form': Expected a form as JSON, but it is not"),
        (
            {"a.form": '{"id": "f"}', "b.form": '{"id": "f"}'},
            "duplicated id 'f' in the resources 'a.form' and 'b.form'",
        ),
    ],
)
def test_a_bad_form_refuses_the_deployment(
    documents: dict[str, str], message: str, tmp_path: Path
) -> None:
    paths = []
    for name, text in documents.items():
        (tmp_path / name).write_text(text)
        paths.append(tmp_path / name)
    with connect("memory://") as client:
        with pytest.raises(RejectedError) as refused:
            client.deploy(*paths, scenario("camunda_user_task_form.bpmn"))
        assert refused.value.rejection_type == "INVALID_ARGUMENT"
        assert message in str(refused.value)
        assert not events(client, valueType="PROCESS")


def test_replaying_the_log_rebuilds_user_tasks_and_forms() -> None:
    with connect("memory://") as client:
        client.deploy(scenario("camunda_user_task_form.bpmn"), scenario("review.form"))
        first = client.create_instance("camunda_user_task_form")
        client.deploy(scenario("camunda_user_task.bpmn"))
        second = client.create_instance("camunda_user_task")
        client.claim_user_task(_task(client, first)["key"], "ann")
        client.update_user_task(_task(client, second)["key"], priority=3)
        client.create_instance("camunda_user_task")
        client.complete_user_task(_task(client, second)["key"], {"approved": False})
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        live = runtime.engines[1]
        replayed = Engine(1, 1)
        replayed.replay(runtime.logs[1])
        assert replayed.state.store.dump() == live.state.store.dump()
        assert any(cf.startswith("user_tasks") for cf in live.state.store.dump())


def test_a_multi_instance_user_task_gives_each_element_its_task(client: Client) -> None:
    instance = _start(client, "camunda_user_task_mi", approvers=["ann", "bob"])
    assigned = events(client, valueType="USER_TASK", intent="ASSIGNED", processInstanceKey=instance)
    by_assignee = {a["value"]["assignee"]: a["key"] for a in assigned}
    assert set(by_assignee) == {"ann", "bob"}
    client.complete_user_task(by_assignee["bob"], {"vote": "no"})
    client.complete_user_task(by_assignee["ann"], {"vote": "yes"})
    assert variables_of(client, instance)["votes"] == ["yes", "no"]
    assert completed_elements(client, instance)[-1] == "camunda_user_task_mi"


def test_the_deployment_lists_its_forms() -> None:
    with connect("memory://") as client:
        deployment = client.deploy(scenario("review.form"), scenario("camunda_user_task_form.bpmn"))
        [form] = deployment.forms
        assert (form.form_id, form.version, form.resource_name, form.duplicate) == (
            "review-form",
            1,
            "review.form",
            False,
        )
        assert client.deploy(scenario("review.form")).forms[0].duplicate is True


def test_the_async_client_has_the_user_task_methods() -> None:
    async def work() -> list[str]:
        client = connect_async("memory://")
        try:
            await client.deploy(scenario("camunda_user_task.bpmn"))
            instance = await client.create_instance("camunda_user_task")
            records = await client.records()
            [key] = [
                r["key"]
                for r in records
                if r["valueType"] == "USER_TASK"
                and r["intent"] == "CREATED"
                and r["value"]["processInstanceKey"] == instance
            ]
            return [
                (await client.claim_user_task(key, "ann")).action,
                (await client.assign_user_task(key, "bob")).assignee,
                (await client.unassign_user_task(key)).action,
                (await client.update_user_task(key, priority=1)).changed_attributes[0],
                (await client.complete_user_task(key, {"approved": True})).action,
            ]
        finally:
            await client.close()

    assert asyncio.run(work()) == ["claim", "bob", "unassign", "priority", "complete"]


def _form_file(tmp_path: Path, name: str, **fields: Any) -> Path:
    document = json.loads(scenario("review.form").read_text())
    document.update(fields)
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_version_tag_binding_takes_the_latest_form_with_that_tag(
    client: Client, tmp_path: Path
) -> None:
    client.deploy(_form_file(tmp_path, "review.form", versionTag="v1"))
    client.deploy(_form_file(tmp_path, "review.form", versionTag="v1", components=[]))
    client.deploy(_form_file(tmp_path, "review.form", versionTag="v2"))
    tagged = {f["value"]["version"]: f for f in _forms(client)}
    assert [f["value"]["versionTag"] for f in tagged.values()] == ["v1", "v1", "v2"]
    instance = _start(client, "camunda_user_task_tagged_form", prio=80)
    value = _task(client, instance)["value"]
    assert value["formKey"] == tagged[2]["key"] and value["priority"] == 80


@pytest.mark.parametrize(
    ("prio", "message"),
    [
        (101, "Expected priority to be in the range [0,100] but was '101'."),
        (2.5, "Expected result of the expression 'prio' to be a whole 'NUMBER', but was 2.5."),
        ("high", "to be a whole 'NUMBER', but was 'STRING'."),
    ],
)
def test_a_priority_out_of_range_is_an_incident(
    client: Client, tmp_path: Path, prio: Any, message: str
) -> None:
    client.deploy(_form_file(tmp_path, "review.form", versionTag="v1"))
    instance = _start(client, "camunda_user_task_tagged_form", prio=prio)
    [incident] = events(client, valueType="INCIDENT", intent="CREATED", processInstanceKey=instance)
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert message in incident["value"]["errorMessage"]


def test_a_form_bound_to_the_deployment_must_come_with_it(client: Client) -> None:
    client.deploy(scenario("review.form"))
    instance = _start(client, "camunda_user_task_form")  # deployed without the form
    [incident] = events(client, valueType="INCIDENT", intent="CREATED", processInstanceKey=instance)
    assert incident["value"]["errorType"] == "FORM_NOT_FOUND"
    assert "with binding type 'deployment'" in incident["value"]["errorMessage"]


def test_the_model_assignee_is_on_creating_then_assigned_after_creation(client: Client) -> None:
    instance = _start(
        client, "camunda_user_task_feel", owner="ann", teams=[], due=None, urgent=False
    )
    stream = [
        (r["intent"], r["value"]["assignee"], list(r["value"]["changedAttributes"]))
        for r in events(client, valueType="USER_TASK", processInstanceKey=instance)
    ]
    assert stream == [
        ("CREATING", "ann", []),
        ("CREATED", "", []),
        ("ASSIGNING", "ann", ["assignee"]),
        ("ASSIGNED", "ann", ["assignee"]),
    ]


def test_the_client_checks_its_arguments_before_sending() -> None:
    with connect("memory://") as client:
        for call, argument in (
            (lambda: client.claim_user_task(1, ""), "assignee"),
            (lambda: client.assign_user_task(0, "ann"), "key"),
            (lambda: client.update_user_task(1, priority=101), "priority"),
            (lambda: client.update_user_task(1, candidate_groups="clerks"), "candidate_groups"),
            (lambda: client.complete_user_task(1, {"x": float("nan")}), "variables"),
        ):
            with pytest.raises(InvalidArgumentError) as wrong:
                call()
            assert wrong.value.argument is not None and wrong.value.argument.startswith(argument)
        assert not [r for r in client.records() if r["valueType"] == "USER_TASK"]
