"""Side effects: what the core asks its runtime to do once a command's results are committed,
beyond appending records (Zeebe's side-effect writer). The core decides; the runtime carries
it out or, where it has no use for it (the in-memory runtime), ignores it.

`PublishJob`: make a job available to the workers of its type. Processors ask for it when a
job becomes activatable (created, failed with retries and no back-off, timed out, recurred
after its back-off, retries updated, its incident resolved); the engine keeps, at the end of
the batch, one request per job that is still activatable then (a job created and taken, or
canceled, in the same batch is not published). The Kafka runtime publishes it to the job's
topic (docs/jobs-on-kafka.md).

`RetractJob`: a job ended (completed, canceled); kept only if the job is gone from the state
when the batch ends. The Kafka runtime writes a tombstone for the job's record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from broker.protocol import Record
from broker.protocol.values import DEFAULT_TENANT_ID
from processors.engine.state.job_state import JobReader, JobStatus


@dataclass(frozen=True, slots=True)
class PublishJob:
    job_key: int
    record: Record[Any]
    """The event that made the job activatable (its position and timestamp are the
    publication's)."""


@dataclass(frozen=True, slots=True)
class RetractJob:
    """A job ended (completed or canceled): what was published for it is no longer for
    workers. The Kafka runtime writes a tombstone for it to the job's topic, which is compacted
    (docs/jobs-on-kafka.md)."""

    job_key: int
    job_type: str
    tenant_id: str = DEFAULT_TENANT_ID
    """The job's tenant: a job of a tenant other than the default has a topic per tenant."""


SideEffect: TypeAlias = PublishJob | RetractJob


def settle(effects: Iterable[SideEffect], jobs: JobReader) -> tuple[SideEffect, ...]:
    """The side effects of a finished batch, one per job (the last request, in the order jobs
    were first asked for): a PublishJob only for a job still activatable, a RetractJob only
    for a job gone."""
    latest: dict[int, SideEffect] = {}
    for effect in effects:
        latest[effect.job_key] = effect
    settled: list[SideEffect] = []
    for key, effect in latest.items():
        job = jobs.get(key)
        if isinstance(effect, RetractJob):
            if job is None:
                settled.append(effect)
        elif job is not None and job.status is JobStatus.ACTIVATABLE:
            settled.append(effect)
    return tuple(settled)
