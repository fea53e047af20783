"""Element instances and the key counter are written to the store once per command (see
`ElementInstanceState`): a command that fails must leave none of its changes, the commands
before it in the same batch must keep all of theirs, and the store must hold what replaying
the log gives."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import DeploymentIntent, JobIntent, ProcessInstanceCreationIntent
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    JobRecordValue,
    ProcessInstanceCreationRecordValue,
)
from processors.engine import Engine
from tests.engine.conftest import scenario


def _engine_with(process: str) -> tuple[Engine, list[Record[Any]]]:
    engine = Engine()
    xml = scenario(f"{process}.bpmn").read_bytes()
    value = DeploymentRecordValue(resources=(DeploymentResource(f"{process}.bpmn", xml),))
    result = engine.process(Record.command(DeploymentIntent.CREATE, value), 0)
    return engine, list(result.records)


def _create(process: str) -> Record[ProcessInstanceCreationRecordValue]:
    return Record.command(
        ProcessInstanceCreationIntent.CREATE,
        ProcessInstanceCreationRecordValue(bpmn_process_id=process),
    )


def _replayed(log: list[Record[Any]]) -> Engine:
    engine = Engine()
    engine.replay(log)
    return engine


def test_a_failed_command_leaves_exactly_the_state_of_the_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, log = _engine_with("one_task")
    from processors.engine.bpmn import task_processors

    def broken(self: object, call: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(task_processors.TaskProcessor, "on_activate", broken)
    result = engine.process(_create("one_task"), 5)
    log += result.records
    assert [r.rejection_type.value for r in result.records if r.is_rejection] == [
        "PROCESSING_ERROR"
    ]
    assert engine.state.store.dump() == _replayed(log).state.store.dump()
    # the process instance and its start event (earlier commands of the batch) stand
    assert engine.state.elements.get(result.records[-1].value.flow_scope_key) is not None


def test_state_after_each_command_is_that_of_the_log() -> None:
    engine, log = _engine_with("parallel")
    result = engine.process(_create("parallel"), 5)
    log += result.records
    assert engine.state.store.dump() == _replayed(log).state.store.dump()
    jobs = [r.key for r in log if r.is_event and r.intent is JobIntent.CREATED]
    for job_key in jobs:
        complete = Record.command(JobIntent.COMPLETE, JobRecordValue(), key=job_key)
        log += engine.process(complete, 6).records
        assert engine.state.store.dump() == _replayed(log).state.store.dump()
    replayed = _replayed(log)
    assert engine.state.meta.next_key() == replayed.state.meta.next_key()


def test_a_command_failing_late_in_a_batch_keeps_the_earlier_commands_of_the_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # COMPLETE job → COMPLETE_ELEMENT of the task (completes it, takes the flow) → ACTIVATE
    # of the end event fails: the job's completion and the task's stand, exactly as the log
    # says (the engine applies the earlier commands' events again after discarding).
    engine, log = _engine_with("one_task")
    log += engine.process(_create("one_task"), 5).records
    job_key = next(r.key for r in log if r.is_event and r.intent is JobIntent.CREATED)
    from processors.engine.bpmn import throw_event_processors

    def broken(self: object, call: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(throw_event_processors.ThrowEndEventProcessor, "on_activate", broken)
    complete = Record.command(JobIntent.COMPLETE, JobRecordValue(), key=job_key)
    result = engine.process(complete, 6)
    log += result.records
    assert [r.rejection_type.value for r in result.records if r.is_rejection] == [
        "PROCESSING_ERROR"
    ]
    assert engine.state.store.dump() == _replayed(log).state.store.dump()
    assert engine.state.jobs.get(job_key) is None
    assert engine.state.meta.next_key() == _replayed(log).state.meta.next_key()
