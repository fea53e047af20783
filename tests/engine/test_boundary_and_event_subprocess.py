"""Scenarios: boundary events and event subprocesses on an embedded subprocess — a
non-interrupting event subprocess keeps its scope open, an interrupting one terminates
everything else in its scope (also running event subprocesses) and the scope then completes
normally, and an interrupting boundary event terminates the whole subprocess."""

from __future__ import annotations

from clients.client import Client
from tests.engine.conftest import completed_elements, element_trace, events, scenario


def test_non_interrupting_event_subprocess_keeps_the_scope_open(client: Client) -> None:
    client.deploy(scenario("subprocess_events.bpmn"))
    key = client.create_instance("subprocess_events", {"limit": "PT1M"})
    client.advance_time(5)
    [work] = client.activate_jobs("work", max_jobs=1, timeout=600)
    client.complete_job(work.key)
    # the subprocess's own flow ended, the nagging event subprocess still runs
    assert "sub_end" in completed_elements(client, key)
    assert "sub" not in completed_elements(client, key)
    [nag] = client.activate_jobs("nag", max_jobs=1, timeout=600)
    client.complete_job(nag.key)
    assert completed_elements(client, key)[-3:] == ["sub", "end", "subprocess_events"]
    # leaving the subprocess canceled its remaining timers
    canceled = {
        t["value"]["targetElementId"] for t in events(client, valueType="TIMER", intent="CANCELED")
    }
    assert canceled == {"cutoff_start", "hard_stop"}


def test_interrupting_event_subprocess_ends_the_scope_then_the_flow_goes_on(
    client: Client,
) -> None:
    client.deploy(scenario("subprocess_events.bpmn"))
    key = client.create_instance("subprocess_events", {"limit": "PT30S"})
    client.advance_time(5)  # nag starts, beside the work
    client.advance_time(25)  # cutoff: interrupting
    trace = element_trace(client, key)
    cutoff = trace.index(("cutoff", "ELEMENT_ACTIVATING"))
    assert trace.index(("work", "ELEMENT_TERMINATED")) < cutoff
    assert trace.index(("nag", "ELEMENT_TERMINATED")) < cutoff
    assert len(events(client, valueType="JOB", intent="CANCELED")) == 2
    # the subprocess completes (not terminated) and its outgoing flow is taken
    assert completed_elements(client, key)[-4:] == ["cutoff", "sub", "end", "subprocess_events"]
    assert not client.activate_jobs("work", max_jobs=1, timeout=60)


def test_interrupting_boundary_event_terminates_the_subprocess(client: Client) -> None:
    client.deploy(scenario("subprocess_events.bpmn"))
    key = client.create_instance("subprocess_events", {"limit": "PT2H"})
    client.advance_time(5)
    client.advance_time(3595)
    trace = element_trace(client, key)
    assert ("sub", "ELEMENT_TERMINATED") in trace
    assert ("nag", "ELEMENT_TERMINATED") in trace
    assert trace.index(("sub", "ELEMENT_TERMINATED")) < trace.index(
        ("hard_stop", "ELEMENT_ACTIVATING")
    )
    assert completed_elements(client, key)[-3:] == ["hard_stop", "stopped", "subprocess_events"]
    assert not events(client, valueType="TIMER", intent="TRIGGERED", targetElementId="cutoff_start")
    # every timer is gone: nothing fires later
    client.advance_time(7200)
    assert len(events(client, valueType="TIMER", intent="TRIGGERED")) == 2


def test_timer_expression_sees_the_subprocess_input_mappings(client: Client) -> None:
    client.deploy(scenario("subprocess_events.bpmn"))
    client.create_instance("subprocess_events", {"limit": "PT45S"})
    [cutoff] = events(client, valueType="TIMER", intent="CREATED", targetElementId="cutoff_start")
    assert cutoff["value"]["dueDate"] == cutoff["timestamp"] + 45_000


_INTERRUPTED_SCOPE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="defs" targetNamespace="http://honeyflow.test">
  <bpmn:process id="interrupted_scope" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="sub_start"/>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="work"/>
      <bpmn:serviceTask id="work">
        <bpmn:extensionElements><zeebe:taskDefinition type="work"/></bpmn:extensionElements>
      </bpmn:serviceTask>
      <bpmn:subProcess id="takeover" triggeredByEvent="true">
        <bpmn:startEvent id="takeover_start">
          <bpmn:timerEventDefinition><bpmn:timeDuration>PT5S</bpmn:timeDuration></bpmn:timerEventDefinition>
        </bpmn:startEvent>
        <bpmn:sequenceFlow id="t1" sourceRef="takeover_start" targetRef="handle"/>
        <bpmn:serviceTask id="handle">
          <bpmn:extensionElements><zeebe:taskDefinition type="handle"/></bpmn:extensionElements>
        </bpmn:serviceTask>
      </bpmn:subProcess>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:boundaryEvent id="note" attachedToRef="sub" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT10S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="note" targetRef="noted"/>
    <bpmn:endEvent id="noted"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_scope_taken_over_by_an_event_subprocess_takes_no_other_event(client: Client) -> None:
    client.deploy(_INTERRUPTED_SCOPE)
    key = client.create_instance("interrupted_scope")
    client.advance_time(5)
    client.advance_time(10)  # the boundary timer is due, but the scope is interrupted
    assert "noted" not in completed_elements(client, key)
    assert not events(client, valueType="TIMER", intent="TRIGGERED", targetElementId="note")
    [job] = client.activate_jobs("handle", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    assert completed_elements(client, key)[-3:] == ["sub", "end", "interrupted_scope"]
    [canceled] = events(client, valueType="TIMER", intent="CANCELED")
    assert canceled["value"]["targetElementId"] == "note"
