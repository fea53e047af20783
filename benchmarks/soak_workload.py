"""What `make soak` runs: the soak process (a job that may fail into an incident, a short
timer, a message catch the load generator correlates), which instances fail, and the job
worker in its own process that fails their job until no retries are left."""

from __future__ import annotations

import logging
import multiprocessing
from multiprocessing.synchronize import Event
from typing import Any

PROCESS_ID = "soak"
JOB_TYPE = "soak-work"
MESSAGE_NAME = "soak-go"
JOB_RETRIES = 2
"""Each failing instance's job fails twice (retries 2 → 1 → 0), then an incident is raised."""

# start → service task (retries 2) → timer PT1S → message catch on `id` → end
SOAK_PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="soak-definitions" targetNamespace="t">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{JOB_TYPE}" retries="{JOB_RETRIES}"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="pause"/>
    <bpmn:intermediateCatchEvent id="pause">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration>PT1S</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="pause" targetRef="go"/>
    <bpmn:intermediateCatchEvent id="go">
      <bpmn:messageEventDefinition messageRef="go-message"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="go" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmn:message id="go-message" name="{MESSAGE_NAME}">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=id"/></bpmn:extensionElements>
  </bpmn:message>
</bpmn:definitions>
""".encode()


def correlation_key(i: int) -> str:
    return f"soak-{i}"


def variables_of(i: int, fail_every: int) -> dict[str, Any]:
    """Instance `i`'s variables: every `fail_every`-th instance (0: none) fails its job
    until the soak driver sets `fail` to false and resolves the incident."""
    return {"i": i, "id": correlation_key(i), "fail": fail_every > 0 and i % fail_every == 0}


class PlannedFailure(Exception):
    """Raised by the soak worker's handler for an instance with `fail` set."""


def handle(fail: bool = False) -> dict[str, Any]:
    """The soak job: fails while the instance's `fail` is true, else completes."""
    if fail:
        raise PlannedFailure("soak: planned failure until the driver resolves the incident")
    return {"worked": True}


def _work(url: str, concurrency: int, stop: Event) -> None:
    from clients.client import connect
    from clients.worker import Worker

    # The worker logs every failure it handles; planned failures are the soak's own.
    logging.basicConfig(level=logging.ERROR)
    with connect(url) as client:
        worker = Worker(client, name="soak-worker", poll_interval=0.01)
        worker.task(JOB_TYPE, max_jobs=concurrency, max_concurrency=concurrency, retry_backoff=0)(
            handle
        )
        worker.start()
        stop.wait()
        worker.stop()


class SoakWorker:
    """The soak's job worker in a subprocess, as a user runs one beside the engines."""

    def __init__(self, url: str, concurrency: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._process = context.Process(
            target=_work, args=(url, concurrency, self._stop), daemon=True
        )
        self._process.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
