"""The engine's processor and subscription tables are built when an Engine is constructed and
used from there: an engine given other tables runs with them, importing modules fills none."""

from __future__ import annotations

import dataclasses

from broker.protocol import Record
from broker.protocol.intents import DeploymentIntent, ProcessInstanceCreationIntent
from broker.protocol.values import (
    BpmnElementType,
    BpmnEventType,
    DeploymentRecordValue,
    DeploymentResource,
    ProcessInstanceCreationRecordValue,
)
from processors.engine import Engine
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.element_registry import ElementProcessors
from processors.engine.registries import build_registries
from tests.engine.conftest import scenario


def _deploy(engine: Engine, name: str) -> Record:  # type: ignore[type-arg]
    value = DeploymentRecordValue(
        resources=(DeploymentResource(name, scenario(name).read_bytes()),)
    )
    return engine.process(Record.command(DeploymentIntent.CREATE, value), 0, 1).responses[1]


def _create(engine: Engine, process_id: str) -> None:
    command = Record.command(
        ProcessInstanceCreationIntent.CREATE,
        ProcessInstanceCreationRecordValue(bpmn_process_id=process_id),
    )
    engine.process(command, 5, 2)


def test_each_engine_builds_its_own_tables() -> None:
    a, b = Engine(), Engine()
    assert a.registries is not b.registries
    assert set(a.registries.subscriptions) == {
        BpmnEventType.TIMER,
        BpmnEventType.MESSAGE,
        BpmnEventType.SIGNAL,
    }


def test_an_engine_without_a_command_processor_rejects_that_command() -> None:
    engine = Engine(registries=dataclasses.replace(build_registries(), commands={}))
    response = _deploy(engine, "one_task.bpmn")
    assert response.is_rejection
    assert "DEPLOYMENT CREATE has no processor" in response.rejection_reason
    assert not _deploy(Engine(), "one_task.bpmn").is_rejection


def test_the_element_processors_an_engine_is_given_are_the_ones_that_run() -> None:
    default = build_registries()
    activated: list[str] = []
    tasks = default.elements.processor_for(BpmnElementType.SERVICE_TASK)

    class Watching:
        def on_activate(self, call: ElementCall) -> None:
            activated.append(call.value.element_id)
            tasks.on_activate(call)

        def on_complete(self, call: ElementCall) -> None:
            tasks.on_complete(call)

        def on_terminate(self, call: ElementCall) -> None:
            tasks.on_terminate(call)

    table = {t: default.elements.processor_for(t) for t in _KINDS}
    table[BpmnElementType.SERVICE_TASK] = Watching()
    engine = Engine(registries=dataclasses.replace(default, elements=ElementProcessors(table)))
    _deploy(engine, "one_task.bpmn")
    _create(engine, "one_task")
    assert activated == ["task"]
    other = Engine()  # another engine's table is its own
    _deploy(other, "one_task.bpmn")
    _create(other, "one_task")
    assert activated == ["task"]


_KINDS = (
    BpmnElementType.PROCESS,
    BpmnElementType.START_EVENT,
    BpmnElementType.END_EVENT,
    BpmnElementType.SERVICE_TASK,
)
