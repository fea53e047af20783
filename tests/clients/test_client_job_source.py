"""The client asks whether its transport is a job source (Kafka's job topics) once, when it is
made: the check of a runtime-checkable protocol cost ~50 us per activate_jobs on memory://."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from clients.client import Client, connect
from clients.memory_transport import MemoryTransport
from clients.transport import JobSource

ONE_TASK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:serviceTask id="t"><bpmn:extensionElements>
      <zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_activating_on_memory_checks_the_transport_once(monkeypatch: pytest.MonkeyPatch) -> None:
    checks = []
    meta = type(JobSource)
    original = meta.__instancecheck__

    def counting(cls: Any, instance: Any) -> bool:
        if cls is JobSource:
            checks.append(instance)
        return bool(original(cls, instance))

    monkeypatch.setattr(meta, "__instancecheck__", counting)
    client = connect("memory://")
    client.deploy(ONE_TASK)
    for _ in range(3):
        client.create_instance("p")
        jobs = client.activate_jobs("work", max_jobs=5, timeout=30)
        assert len(jobs) == 1
        client.complete_job(jobs[0].key)
    assert len(checks) <= 1


class _JobTopics(MemoryTransport):
    """A transport with job topics of its own (as Kafka's): activate_jobs goes there."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def activate_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
        tenant_ids: tuple[str, ...] = ("<default>",),
    ) -> list[Record[Any]]:
        self.asked.append(job_type)
        return []


def test_a_job_source_transport_is_asked_for_jobs() -> None:
    transport = _JobTopics()
    assert isinstance(transport, JobSource)
    client = Client(transport)
    assert client.activate_jobs("work", max_jobs=1, timeout=30) == []
    assert transport.asked == ["work"]
