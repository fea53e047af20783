"""The core says when a job is published: a PublishJob side effect per job that became
activatable in a batch and still is at its end; the Kafka runtime only carries it out."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from broker.protocol.intents import (
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
)
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    JobBatchRecordValue,
    JobRecordValue,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
)
from processors.engine import Engine
from processors.engine.results import ProcessingResult
from processors.engine.side_effects import PublishJob, RetractJob
from tests.engine.conftest import scenario


def _engine_with_one_job() -> tuple[Engine, int, ProcessingResult]:
    engine = Engine()
    value = DeploymentRecordValue(
        resources=(DeploymentResource("one_task.bpmn", scenario("one_task.bpmn").read_bytes()),)
    )
    deployed = engine.process(Record.command(DeploymentIntent.CREATE, value), 0)
    assert deployed.side_effects == ()
    created = engine.process(
        Record.command(
            ProcessInstanceCreationIntent.CREATE,
            ProcessInstanceCreationRecordValue(bpmn_process_id="one_task"),
        ),
        1,
    )
    [job] = [r for r in created.records if r.is_event and r.intent is JobIntent.CREATED]
    return engine, job.key, created


def _command(engine: Engine, intent: Any, key: int, now: int, **fields: Any) -> ProcessingResult:
    return engine.process(Record.command(intent, JobRecordValue(**fields), key=key), now)


def _activate(engine: Engine, now: int) -> None:
    engine.process(
        Record.command(
            JobBatchIntent.ACTIVATE,
            JobBatchRecordValue(type="work", worker="w", timeout=1000, max_jobs_to_activate=1),
        ),
        now,
    )


def test_a_created_job_is_published_with_its_created_event() -> None:
    _, job_key, created = _engine_with_one_job()
    [effect] = created.side_effects
    assert isinstance(effect, PublishJob) and effect.job_key == job_key
    assert effect.record.intent is JobIntent.CREATED and effect.record.key == job_key


def test_a_failed_job_is_published_again_only_when_a_worker_may_take_it() -> None:
    engine, job_key, _ = _engine_with_one_job()
    _activate(engine, 2)
    failed = _command(engine, JobIntent.FAIL, job_key, 3, retries=2)
    assert [e.record.intent for e in failed.side_effects] == [JobIntent.FAILED]
    _activate(engine, 4)
    later = _command(engine, JobIntent.FAIL, job_key, 5, retries=1, retry_backoff=100)
    assert later.side_effects == ()  # waits for its back-off first
    [due] = engine.due_commands(200)
    recurred = engine.process(due, 200)
    assert [e.record.intent for e in recurred.side_effects] == [JobIntent.RECURRED_AFTER_BACKOFF]


def test_a_job_without_retries_is_published_when_its_incident_is_resolved() -> None:
    engine, job_key, _ = _engine_with_one_job()
    _activate(engine, 2)
    failed = _command(engine, JobIntent.FAIL, job_key, 3, retries=0)
    assert failed.side_effects == ()  # an incident, nothing for workers
    [incident] = [r for r in failed.records if r.intent is IncidentIntent.CREATED]
    updated = _command(engine, JobIntent.UPDATE_RETRIES, job_key, 4, retries=1)
    assert updated.side_effects == ()  # still held by its incident
    resolved = engine.process(
        Record.command(IncidentIntent.RESOLVE, incident.value, key=incident.key), 5
    )
    [effect] = resolved.side_effects
    assert effect.job_key == job_key and effect.record.intent is IncidentIntent.RESOLVED


def test_a_completed_job_is_retracted_not_published() -> None:
    engine, job_key, _ = _engine_with_one_job()
    _activate(engine, 2)
    completed = _command(engine, JobIntent.COMPLETE, job_key, 3)
    assert completed.side_effects == (RetractJob(job_key, "work"),)


def test_a_canceled_job_is_retracted() -> None:
    engine, job_key, _ = _engine_with_one_job()
    job = engine.state.readers.jobs.get(job_key)
    assert job is not None
    canceled = engine.process(
        Record.command(
            ProcessInstanceIntent.CANCEL,
            ProcessInstanceRecordValue(),
            key=job.value.process_instance_key,
        ),
        2,
    )
    assert canceled.side_effects == (RetractJob(job_key, "work"),)
