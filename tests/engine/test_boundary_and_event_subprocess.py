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
