"""Scenarios: process instance modification (Zeebe's ModifyProcessInstance) — skip a broken
step, add a token, activate inside a subprocess (its instance created), variables per scope,
ancestor selection, the instance ending when its last element instance is terminated, and
every rejection with Zeebe's reason."""

from __future__ import annotations

import json

import pytest

from clients.client import Client, connect
from clients.commands import partition_of
from clients.errors import InvalidArgumentError, NotFoundError, RejectedError
from processors.engine import Engine
from tests.engine.conftest import element_trace, events, scenario


def _start(client: Client) -> int:
    client.deploy(scenario("repair.bpmn"))
    return client.create_instance("repair", {"order": 7})


def _job(client: Client, job_type: str) -> object:
    [job] = client.activate_jobs(job_type, max_jobs=5, timeout=60)
    return job


def _only_active(client: Client, instance: int, element_id: str) -> int:
    """The key of the one instance of `element_id` that is active (activated, not ended)."""
    active: dict[int, bool] = {}
    for r in events(client, valueType="PROCESS_INSTANCE", processInstanceKey=instance):
        if r["value"]["elementId"] == element_id:
            active[r["key"]] = r["intent"] not in ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")
    [key] = [k for k, running in active.items() if running]
    return key


def test_skip_a_broken_step_terminates_it_resolves_its_incident_and_goes_on(
    client: Client,
) -> None:
    instance = _start(client)
    check = _job(client, "check")
    client.fail_job(check.key, retries=0, error_message="service down")
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    result = client.modify_instance(
        instance, activate=[{"elementId": "ship"}], terminate=[check.element_instance_key]
    )
    assert result.process_instance_key == instance
    assert result.terminated == (check.element_instance_key,)
    assert [(a.element_id, a.ancestor_scope_keys) for a in result.activated] == [
        ("ship", (instance,))
    ]
    [resolved] = events(client, valueType="INCIDENT", intent="RESOLVED")
    assert resolved["key"] == incident["key"]
    assert events(client, valueType="JOB", intent="CANCELED")[0]["key"] == check.key
    # the boundary timer of the terminated task is gone, and no flow was taken from it
    assert events(client, valueType="TIMER", intent="CANCELED")
    trace = element_trace(client, instance)
    assert ("check", "ELEMENT_TERMINATED") in trace
    assert ("too_late", "ELEMENT_ACTIVATING") not in trace
    ship = _job(client, "ship")
    client.complete_job(ship.key)
    client.complete_job(_job(client, "pack").key)
    assert ("repair", "ELEMENT_COMPLETED") in element_trace(client, instance)
    [modified] = events(client, valueType="PROCESS_INSTANCE_MODIFICATION", intent="MODIFIED")
    assert modified["key"] == instance
    assert list(modified["value"]["activateInstructions"][0]["ancestorScopeKeys"]) == [instance]
    assert list(modified["value"]["terminateInstructions"]) == [
        {"elementInstanceKey": check.element_instance_key}
    ]


def test_add_a_token_beside_a_running_one(client: Client) -> None:
    instance = _start(client)
    client.modify_instance(instance, activate=["ship"])
    jobs = client.activate_jobs("check", max_jobs=5, timeout=60) + client.activate_jobs(
        "ship", max_jobs=5, timeout=60
    )
    assert sorted(j.element_id for j in jobs) == ["check", "ship"]


def test_activate_inside_a_subprocess_creates_its_instance_with_variables(
    client: Client,
) -> None:
    instance = _start(client)
    result = client.modify_instance(
        instance,
        activate=[
            {
                "elementId": "pack",
                "variables": {"fixed": True},
                "variableInstructions": [
                    {"scopeId": "sub", "variables": {"box": "L"}},
                    {"scopeId": "pack", "variables": {"fragile": "yes"}},
                ],
            }
        ],
    )
    sub = _only_active(client, instance, "sub")
    assert result.activated[0].ancestor_scope_keys == (instance, sub)
    trace = element_trace(client, instance)
    # the scope is activated by events: no start event, no input mappings
    assert ("sub", "ELEMENT_ACTIVATED") in trace
    assert ("sub_start", "ELEMENT_ACTIVATING") not in trace
    pack = _job(client, "pack")
    assert pack.variables == {"order": 7, "fixed": True, "box": "L", "fragile": "yes"}
    scopes = {
        r["value"]["name"]: r["value"]["scopeKey"]
        for r in events(client, valueType="VARIABLE", intent="CREATED")
    }
    assert scopes["fixed"] == instance
    assert scopes["box"] == sub
    assert scopes["fragile"] == pack.element_instance_key


def test_a_second_scope_instance_needs_an_ancestor_to_choose_between_them(
    client: Client,
) -> None:
    instance = _start(client)
    client.modify_instance(instance, activate=["pack"])
    first = _only_active(client, instance, "sub")
    # the process instance selected: a new subprocess instance beside the first
    second = client.modify_instance(
        instance, activate=[{"elementId": "pack", "ancestorElementInstanceKey": instance}]
    )
    assert second.activated[0].ancestor_scope_keys[1] != first
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=["pack"])
    assert refused.value.reason == (
        "Expected to modify instance of process 'repair' but it contains one or more activate"
        " instructions for an element that has a flow scope with more than one active"
        " instance: 'sub'. Can't decide in which instance of the flow scope the element should"
        " be activated. Please specify an ancestor element instance key for this activate"
        " instruction."
    )
    third = client.modify_instance(
        instance, activate=[{"elementId": "pack", "ancestorElementInstanceKey": first}]
    )
    assert third.activated[0].ancestor_scope_keys == (instance, first)
    assert len(client.activate_jobs("pack", max_jobs=5, timeout=60)) == 3


def test_terminating_the_last_element_instance_terminates_the_instance(client: Client) -> None:
    instance = _start(client)
    client.modify_instance(instance, activate=["pack"])
    check = _only_active(client, instance, "check")
    pack = _only_active(client, instance, "pack")
    client.modify_instance(instance, terminate=[pack])
    trace = element_trace(client, instance)
    # the subprocess had nothing left to run: terminated too; the process goes on at check
    assert ("sub", "ELEMENT_TERMINATED") in trace
    assert ("repair", "ELEMENT_TERMINATED") not in trace
    client.modify_instance(instance, terminate=[check])
    assert element_trace(client, instance)[-4:] == [
        ("check", "ELEMENT_TERMINATING"),
        ("check", "ELEMENT_TERMINATED"),
        ("repair", "ELEMENT_TERMINATING"),
        ("repair", "ELEMENT_TERMINATED"),
    ]
    assert client.activate_jobs("check", max_jobs=5, timeout=60) == []


def test_an_unknown_instance_is_not_found(client: Client) -> None:
    _start(client)
    with pytest.raises(NotFoundError) as refused:
        client.modify_instance(2251799813685999, activate=["ship"])
    assert refused.value.reason == (
        "Expected to modify process instance but no process instance found with key"
        " '2251799813685999'"
    )


_PREFIX = "Expected to modify instance of process 'repair' but it contains"


@pytest.mark.parametrize(
    ("activate", "reason"),
    [
        (
            ["nowhere"],
            f"{_PREFIX} one or more activate instructions with an element that could not be"
            " found: 'nowhere'",
        ),
        (
            ["start"],
            f"{_PREFIX} one or more activate instructions for elements that are unsupported:"
            " 'start'. The activation of elements with type 'START_EVENT' is not supported.",
        ),
        (
            ["too_late"],
            f"{_PREFIX} one or more activate instructions for elements that are unsupported:"
            " 'too_late'. The activation of elements with type 'BOUNDARY_EVENT' is not"
            " supported.",
        ),
        (
            ["f2"],
            f"{_PREFIX} one or more activate instructions for elements that are unsupported:"
            " 'f2'. The activation of elements with type 'SEQUENCE_FLOW' is not supported.",
        ),
        (
            [{"elementId": "ship", "variableInstructions": [{"scopeId": "x", "variables": {}}]}],
            f"{_PREFIX} one or more variable instructions with a scope element id that could"
            " not be found: 'x'",
        ),
        (
            [{"elementId": "ship", "variableInstructions": [{"scopeId": "sub", "variables": {}}]}],
            f"{_PREFIX} one or more variable instructions with a scope element that doesn't"
            " belong to the activating element's flow scope. These variables should be set"
            " before or after the modification.",
        ),
        (
            [{"elementId": "ship", "ancestorElementInstanceKey": 2251799813685999}],
            f"{_PREFIX} one or more activate instructions with an ancestor scope key that does"
            " not exist, or is not in an active state: '2251799813685999'",
        ),
    ],
    ids=[
        "unknown-element",
        "start-event",
        "boundary-event",
        "sequence-flow",
        "unknown-variable-scope",
        "variable-scope-not-a-flow-scope",
        "unknown-ancestor",
    ],
)
def test_activations_that_cannot_be_done_are_refused(
    client: Client, activate: list[object], reason: str
) -> None:
    instance = _start(client)
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=activate)
    assert refused.value.reason.startswith(reason)
    # all or nothing: nothing was written for the refused command
    assert not events(client, valueType="PROCESS_INSTANCE_MODIFICATION")
    assert [r["value"]["elementId"] for r in events(client, intent="ELEMENT_ACTIVATED")] == [
        "repair",
        "start",
        "check",
    ]


def test_an_ancestor_that_is_not_a_flow_scope_of_the_element_is_refused(client: Client) -> None:
    instance = _start(client)
    check = _only_active(client, instance, "check")
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(
            instance, activate=[{"elementId": "pack", "ancestorElementInstanceKey": check}]
        )
    assert refused.value.reason == (
        f"{_PREFIX} one or more activate instructions with an ancestor scope key that is not"
        f" an ancestor of the element to activate:\n- instance '{check}' of element 'check' is"
        " not an ancestor of element 'pack'"
    )


def test_terminating_an_unknown_element_instance_is_refused(client: Client) -> None:
    instance = _start(client)
    other = client.create_instance("repair")
    foreign = _only_active(client, other, "check")
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=["ship"], terminate=[foreign])
    assert refused.value.reason == (
        f"{_PREFIX} one or more terminate instructions with an element instance that could not"
        f" be found: '{foreign}'"
    )
    assert client.activate_jobs("ship", max_jobs=5, timeout=60) == []


def test_activating_in_a_scope_the_same_command_terminates_is_refused(client: Client) -> None:
    instance = _start(client)
    client.modify_instance(instance, activate=["pack"])
    sub = _only_active(client, instance, "sub")
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=["pack"], terminate=[sub])
    assert refused.value.reason == (
        f"{_PREFIX} one or more activate instructions for elements whose required flow scope"
        f" instance is also being terminated: element 'pack' requires flow scope instance"
        f" '{sub}' which is being terminated. Please provide a valid ancestor scope key for the"
        " activation or avoid terminating the required flow scope."
    )


def test_a_new_multi_instance_body_is_refused_but_its_running_inner_instance_is_used(
    client: Client,
) -> None:
    client.deploy(scenario("mi_subprocess.bpmn"))
    instance = client.create_instance("mi_subprocess", {"items": [1, 2]})
    inner = [
        r["key"]
        for r in events(
            client, valueType="PROCESS_INSTANCE", intent="ELEMENT_ACTIVATED", elementId="each"
        )
        if r["value"]["bpmnElementType"] == "SUB_PROCESS"
    ]
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=["inner"])
    assert "more than one active instance: 'each'" in refused.value.reason
    result = client.modify_instance(
        instance, activate=[{"elementId": "inner", "ancestorElementInstanceKey": inner[1]}]
    )
    assert result.activated[0].ancestor_scope_keys[-1] == inner[1]
    assert len(client.activate_jobs("each", max_jobs=5, timeout=60)) == 3
    second = client.create_instance("mi_subprocess", {"items": [1]})
    with pytest.raises(InvalidArgumentError) as unsupported:
        client.modify_instance(
            second,
            activate=[{"elementId": "inner", "ancestorElementInstanceKey": second}],
        )
    assert unsupported.value.reason == (
        "Expected to modify instance of process 'mi_subprocess' but it contains one or more"
        " activate instructions that would result in the activation of multi-instance element"
        " 'each', which is currently unsupported."
    )


def test_terminating_a_called_instance_is_refused(client: Client) -> None:
    client.deploy(scenario("call_child.bpmn"), scenario("call_parent.bpmn"))
    parent = client.create_instance("call_parent")
    [child] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
        parentProcessInstanceKey=parent,
    )
    with pytest.raises(RejectedError) as refused:
        client.modify_instance(child["key"], terminate=[child["key"]])
    assert refused.value.rejection_type == "INVALID_ARGUMENT"
    assert "would terminate the instance. The instance was created by a call activity" in (
        refused.value.reason
    )


def test_variables_that_are_not_an_object_are_refused_before_sending(client: Client) -> None:
    instance = _start(client)
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=[{"elementId": "ship", "variables": [1]}])
    assert "activate[0].variables" in str(refused.value)
    assert json.dumps(events(client, valueType="PROCESS_INSTANCE_MODIFICATION")) == "[]"


def test_an_ancestor_of_another_instance_is_refused(client: Client) -> None:
    instance = _start(client)
    # another instance on the same partition (others are not found there at all)
    others = [client.create_instance("repair") for _ in range(client.transport.partition_count)]
    [other] = [o for o in others if partition_of(o) == partition_of(instance)]
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(
            instance, activate=[{"elementId": "ship", "ancestorElementInstanceKey": other}]
        )
    assert refused.value.reason == (
        f"{_PREFIX} one or more activate instructions with an ancestor scope key that does not"
        f" belong to the modified process instance: '{other}'"
    )


def test_an_event_after_an_event_based_gateway_is_refused(client: Client) -> None:
    client.deploy(scenario("event_gateway.bpmn"))
    instance = client.create_instance("event_gateway")
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=["soon"])
    assert refused.value.reason == (
        "Expected to modify instance of process 'event_gateway' but it contains one or more"
        " activate instructions for elements that are unsupported: 'soon'. The activation of"
        " events belonging to an event-based gateway is not supported."
    )


def test_replaying_the_log_rebuilds_the_modified_instances_exactly() -> None:
    with connect("memory://") as client:
        instance = _start(client)
        check = _job(client, "check")
        client.fail_job(check.key, retries=0, error_message="down")
        client.modify_instance(
            instance,
            activate=[
                {
                    "elementId": "pack",
                    "variableInstructions": [{"scopeId": "sub", "variables": {"box": "L"}}],
                }
            ],
            terminate=[check.element_instance_key],
        )
        other = client.create_instance("repair")
        client.modify_instance(other, terminate=[_only_active(client, other, "check")])
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        replayed = Engine(1, 1)
        replayed.replay(runtime.logs[1])
        assert replayed.state.store.dump() == runtime.engines[1].state.store.dump()


def test_a_new_scope_whose_catch_events_cannot_be_subscribed_is_refused(client: Client) -> None:
    client.deploy(scenario("modify_scope_timer.bpmn"))
    instance = client.create_instance("modify_scope_timer")
    with pytest.raises(InvalidArgumentError) as refused:
        client.modify_instance(instance, activate=["inner"])
    assert refused.value.reason.startswith("Expected to subscribe to catch event(s) of 'sub' but")
    assert not events(client, valueType="TIMER")
    # the global variables are set before the scope subscribes: its timer can be evaluated
    client.modify_instance(
        instance, activate=[{"elementId": "inner", "variables": {"delay": "PT1H"}}]
    )
    [timer] = events(client, valueType="TIMER", intent="CREATED")
    assert timer["value"]["targetElementId"] == "sub_timeout"
    assert len(client.activate_jobs("inner", max_jobs=5, timeout=60)) == 1
