"""Commands as a client or worker sends them (the wire contract, docs/wire-protocol.md), for
tests that drive the Kafka engine without the client library."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record, encode_record
from broker.protocol.intents import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
)
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    JobBatchRecordValue,
    JobRecordValue,
    MessageRecordValue,
    ProcessInstanceCreationRecordValue,
)

ONE_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="t">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def timer_process(duration: str, process_id: str = "timer") -> bytes:
    """start → a timer catch event waiting `duration` (ISO 8601, e.g. PT4S) → end."""
    return TIMER.format(process_id=process_id, duration=duration).encode()


def publish(name: str, correlation_key: str, ttl_ms: int) -> Record[Any]:
    value = MessageRecordValue(name=name, correlation_key=correlation_key, time_to_live=ttl_ms)
    return Record.command(MessageIntent.PUBLISH, value)


def one_task_process(process_id: str = "one-task", job_type: str = "work") -> bytes:
    return ONE_TASK.format(process_id=process_id, job_type=job_type).encode()


def deploy(resource: bytes, name: str = "process.bpmn") -> Record[Any]:
    value = DeploymentRecordValue(
        resources=(DeploymentResource(resource_name=name, resource=resource),)
    )
    return Record.command(DeploymentIntent.CREATE, value)


def create_instance(process_id: str, variables: dict[str, Any] | None = None) -> Record[Any]:
    value = ProcessInstanceCreationRecordValue(
        bpmn_process_id=process_id, variables=variables or {}
    )
    return Record.command(ProcessInstanceCreationIntent.CREATE, value)


def activate(job_type: str, job_key: int, worker: str, timeout_ms: int = 30_000) -> Record[Any]:
    value = JobBatchRecordValue(
        type=job_type,
        worker=worker,
        timeout=timeout_ms,
        max_jobs_to_activate=1,
        job_keys=(job_key,),
    )
    return Record.command(JobBatchIntent.ACTIVATE, value)


def complete(job_key: int, variables: dict[str, Any] | None = None) -> Record[Any]:
    return Record.command(
        JobIntent.COMPLETE, JobRecordValue(variables=variables or {}), key=job_key
    )


def wire(record: Record[Any]) -> bytes:
    return encode_record(record)
