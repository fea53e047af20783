"""Scenarios: timers — intermediate catch (duration, date, expressions), timer start events
(cycles, new versions), boundary timers (interrupting, non-interrupting cycles), timer event
subprocesses (interrupting, non-interrupting) and a bad timer expression's incident."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from clients.client import Client
from tests.engine.conftest import completed_elements, element_trace, events, scenario


def _timers(client: Client, intent: str, **match: object) -> list[dict[str, object]]:
    return [r["value"] for r in events(client, valueType="TIMER", intent=intent, **match)]


def test_duration_timer_fires_when_due(client: Client) -> None:
    client.deploy(scenario("timer_catch.bpmn"))
    key = client.create_instance("timer_catch")
    [created] = events(client, valueType="TIMER", intent="CREATED")
    [wait] = events(
        client, valueType="PROCESS_INSTANCE", elementId="wait", intent="ELEMENT_ACTIVATED"
    )
    value = created["value"]
    assert value["targetElementId"] == "wait"
    assert value["elementInstanceKey"] == wait["key"]
    assert value["processInstanceKey"] == key
    assert value["processDefinitionKey"] == wait["value"]["processDefinitionKey"]
    assert value["repetitions"] == 1
    assert value["dueDate"] == created["timestamp"] + 10_000
    client.advance_time(9)
    assert "wait" not in completed_elements(client, key)
    client.advance_time(1)
    assert completed_elements(client, key)[-1] == "timer_catch"
    [triggered] = events(client, valueType="TIMER", intent="TRIGGERED")
    assert triggered["key"] == created["key"]
    assert [e for e, i in element_trace(client, key) if e == "wait"][-1] == "wait"
    triggering = events(client, valueType="PROCESS_EVENT", intent="TRIGGERING")
    assert [(e["value"]["scopeKey"], e["value"]["targetElementId"]) for e in triggering] == [
        (wait["key"], "wait")
    ]
    assert len(events(client, valueType="PROCESS_EVENT", intent="TRIGGERED")) == 1


def test_date_in_the_past_fires_at_once(client: Client) -> None:
    client.deploy(scenario("timer_date_past.bpmn"))
    key = client.create_instance("timer_date_past")
    assert completed_elements(client, key)[-1] == "timer_date_past"
    [created] = _timers(client, "CREATED")
    assert created["dueDate"] == 1577869200000  # 2020-01-01T09:00:00Z


def test_timer_expressions_are_evaluated_at_activation(client: Client) -> None:
    client.deploy(scenario("timer_expressions.bpmn"))
    key = client.create_instance("timer_expressions", {"delay": "PT30S", "pause": "PT1M"})
    [until] = _timers(client, "CREATED", targetElementId="until")
    [command] = [
        r
        for r in client.records()
        if r["intent"] == "CREATE" and r["valueType"] == "PROCESS_INSTANCE_CREATION"
    ]
    assert until["dueDate"] == command["timestamp"] + 30_000
    client.advance_time(30)
    [pause] = _timers(client, "CREATED", targetElementId="pause")
    assert pause["dueDate"] == command["timestamp"] + 90_000
    client.advance_time(59)
    assert "pause" not in completed_elements(client, key)
    client.advance_time(1)
    assert completed_elements(client, key)[-1] == "timer_expressions"


def test_bad_timer_expression_raises_an_incident_and_resolves(client: Client) -> None:
    client.deploy(scenario("timer_expressions.bpmn"))
    key = client.create_instance("timer_expressions", {"delay": "PT1S", "pause": 5})
    client.advance_time(1)
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    value = incident["value"]
    assert value["errorType"] == "EXTRACT_VALUE_ERROR"
    assert value["elementId"] == "pause"
    assert "pause" in value["errorMessage"] and "NUMBER" in value["errorMessage"]
    assert not _timers(client, "CREATED", targetElementId="pause")
    client.set_variables(key, {"pause": "PT2S"})
    client.resolve_incident(incident["key"])
    client.advance_time(2)
    assert completed_elements(client, key)[-1] == "timer_expressions"


def test_timer_start_event_cycle_starts_an_instance_per_repetition(client: Client) -> None:
    deployment = client.deploy(scenario("timer_start.bpmn"))
    [created] = _timers(client, "CREATED")
    assert created["elementInstanceKey"] == -1 and created["processInstanceKey"] == -1
    assert created["repetitions"] == 3
    assert created["processDefinitionKey"] == deployment.processes[0].process_definition_key
    for _ in range(5):
        client.advance_time(60)
    triggered = _timers(client, "TRIGGERED")
    assert [t["repetitions"] for t in triggered] == [3, 2, 1]
    instances = {t["processInstanceKey"] for t in triggered}
    assert len(instances) == 3
    for instance in instances:
        assert completed_elements(client, instance) == ["tick", "end", "timer_start"]
    [tick] = events(
        client, valueType="PROCESS_INSTANCE", elementId="tick", intent="ELEMENT_ACTIVATED"
    )[:1]
    assert tick["value"]["bpmnEventType"] == "TIMER"
    assert client.records()[-1]["valueType"] != "TIMER"


def test_new_version_replaces_the_start_timers(client: Client) -> None:
    client.deploy(scenario("timer_start.bpmn"))
    [old] = events(client, valueType="TIMER", intent="CREATED")
    client.deploy(scenario("timer_start_v2.bpmn"))
    [canceled] = events(client, valueType="TIMER", intent="CANCELED")
    assert canceled["key"] == old["key"]
    client.advance_time(3600)
    [triggered] = _timers(client, "TRIGGERED")
    assert triggered["repetitions"] == -1
    assert "end_v2" in completed_elements(client, triggered["processInstanceKey"])
    [_, _, next_one] = _timers(client, "CREATED")
    assert next_one["repetitions"] == -1


def test_interrupting_boundary_timer_terminates_the_task(client: Client) -> None:
    client.deploy(scenario("timer_boundary.bpmn"))
    key = client.create_instance("timer_boundary")
    client.advance_time(10)
    trace = element_trace(client, key)
    assert ("task", "ELEMENT_TERMINATED") in trace
    assert trace.index(("task", "ELEMENT_TERMINATED")) < trace.index(
        ("timeout", "ELEMENT_ACTIVATING")
    )
    assert completed_elements(client, key)[-2:] == ["timed_out", "timer_boundary"]
    assert len(events(client, valueType="JOB", intent="CANCELED")) == 1
    [boundary] = events(
        client, valueType="PROCESS_INSTANCE", elementId="timeout", intent="ELEMENT_ACTIVATED"
    )
    assert boundary["value"]["bpmnElementType"] == "BOUNDARY_EVENT"
    assert boundary["value"]["flowScopeKey"] == key


def test_boundary_timer_is_canceled_when_the_task_completes(client: Client) -> None:
    client.deploy(scenario("timer_boundary.bpmn"))
    key = client.create_instance("timer_boundary")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    [created] = events(client, valueType="TIMER", intent="CREATED")
    [canceled] = events(client, valueType="TIMER", intent="CANCELED")
    assert canceled["key"] == created["key"]
    client.advance_time(60)
    assert not events(client, valueType="TIMER", intent="TRIGGERED")
    assert completed_elements(client, key)[-2:] == ["end", "timer_boundary"]


def test_non_interrupting_boundary_cycle_repeats_beside_the_task(client: Client) -> None:
    client.deploy(scenario("timer_boundary_cycle.bpmn"))
    key = client.create_instance("timer_boundary_cycle")
    for _ in range(4):
        client.advance_time(10)
    assert completed_elements(client, key).count("reminded") == 2
    assert [t["repetitions"] for t in _timers(client, "TRIGGERED")] == [2, 1]
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    assert completed_elements(client, key)[-2:] == ["end", "timer_boundary_cycle"]


def test_non_interrupting_cycle_is_canceled_with_the_task(client: Client) -> None:
    client.deploy(scenario("timer_boundary_cycle.bpmn"))
    key = client.create_instance("timer_boundary_cycle")
    client.advance_time(10)
    [job] = client.activate_jobs("work", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    [canceled] = _timers(client, "CANCELED")
    assert canceled["repetitions"] == 1
    assert completed_elements(client, key).count("reminded") == 1


def test_timer_event_subprocesses(client: Client) -> None:
    client.deploy(scenario("timer_event_subprocess.bpmn"))
    key = client.create_instance("timer_event_subprocess")
    client.advance_time(5)
    client.advance_time(5)
    # the non-interrupting one ran twice beside the task
    assert completed_elements(client, key).count("status") == 2
    assert not events(
        client, valueType="PROCESS_INSTANCE", elementId="task", intent="ELEMENT_TERMINATED"
    )
    client.advance_time(2)
    # the interrupting one terminated the task and closed the other subscription
    trace = element_trace(client, key)
    assert ("task", "ELEMENT_TERMINATED") in trace
    assert trace.index(("task", "ELEMENT_TERMINATED")) < trace.index(
        ("deadline", "ELEMENT_ACTIVATING")
    )
    cycle = [t for t in _timers(client, "CANCELED") if t["targetElementId"] == "every_5s"]
    assert len(cycle) == 1
    [job] = client.activate_jobs("escalate", max_jobs=1, timeout=60)
    client.advance_time(30)
    assert completed_elements(client, key).count("status") == 2
    client.complete_job(job.key)
    assert completed_elements(client, key)[-3:] == [
        "deadline_end",
        "deadline",
        "timer_event_subprocess",
    ]
    start = events(
        client, valueType="PROCESS_INSTANCE", elementId="after_12s", intent="ELEMENT_ACTIVATED"
    )
    [deadline] = events(
        client, valueType="PROCESS_INSTANCE", elementId="deadline", intent="ELEMENT_ACTIVATED"
    )
    assert start[0]["value"]["flowScopeKey"] == deadline["key"]
    assert deadline["value"]["bpmnElementType"] == "EVENT_SUB_PROCESS"


def test_cancel_cancels_the_timers(client: Client) -> None:
    client.deploy(scenario("timer_event_subprocess.bpmn"))
    key = client.create_instance("timer_event_subprocess")
    client.cancel_instance(key)
    assert {t["targetElementId"] for t in _timers(client, "CANCELED")} == {"every_5s", "after_12s"}
    client.advance_time(60)
    assert not _timers(client, "TRIGGERED")


_START_CYCLE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://honeyflow.test">
  <bpmn:process id="cycle_{name}" isExecutable="true">
    <bpmn:startEvent id="tick">
      <bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_cron_cycle_fires_on_the_hour(client: Client) -> None:
    client.deploy(_START_CYCLE.format(name="cron", cycle="0 0 * * * *").encode())
    [first] = events(client, valueType="TIMER", intent="CREATED")
    due = first["value"]["dueDate"]
    assert due % 3_600_000 == 0 and first["timestamp"] < due <= first["timestamp"] + 3_600_000
    client.advance_time((due - first["timestamp"]) / 1000)
    [_, second] = _timers(client, "CREATED")
    assert second["dueDate"] == due + 3_600_000
    assert second["repetitions"] == -1
    assert len(_timers(client, "TRIGGERED")) == 1


def test_cycle_with_a_past_start_date_fires_now_then_each_interval(client: Client) -> None:
    client.deploy(_START_CYCLE.format(name="dated", cycle="R2/2020-01-01T00:00:00Z/PT10S").encode())
    assert len(_timers(client, "TRIGGERED")) == 1
    client.advance_time(10)
    client.advance_time(10)
    assert [t["repetitions"] for t in _timers(client, "TRIGGERED")] == [2, 1]


def _nearest_weekday_to_15(day: dt.date) -> int:
    return {5: 14, 6: 16}.get(day.replace(day=15).weekday(), 15)


@pytest.mark.parametrize(
    ("cycle", "is_due"),
    [
        ("0 0 9 L * *", lambda d: (d + dt.timedelta(days=1)).day == 1),  # last day of the month
        ("0 0 9 ? * FRIL", lambda d: d.weekday() == 4 and (d + dt.timedelta(days=7)).day <= 7),
        ("0 0 9 ? * 1#2", lambda d: d.weekday() == 0 and 8 <= d.day <= 14),  # second Monday
        ("0 0 9 15W * *", lambda d: d.day == _nearest_weekday_to_15(d)),
    ],
)
def test_cron_day_forms_of_spring(
    client: Client, cycle: str, is_due: Callable[[dt.date], bool]
) -> None:
    """Spring cron's L, W and # day forms (Zeebe's cron timers use Spring's syntax): each
    timer is due at 09:00 on a matching day, the next one after it fires."""
    client.deploy(_START_CYCLE.format(name="days", cycle=cycle).encode())
    for fired in range(1, 4):
        due = int(str(_timers(client, "CREATED")[-1]["dueDate"]))
        moment = dt.datetime.fromtimestamp(due / 1000, dt.UTC)
        assert (moment.hour, moment.minute, moment.second) == (9, 0, 0)
        assert is_due(moment.date()), moment
        now = client.records()[-1]["timestamp"]
        client.advance_time((due - now) / 1000)
        assert len(_timers(client, "TRIGGERED")) == fired
        assert int(str(_timers(client, "CREATED")[-1]["dueDate"])) > due
