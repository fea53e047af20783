"""Side effects: what the core asks its runtime to do once a command's results are committed,
beyond appending records (Zeebe's side-effect writer). The core decides; the runtime carries
it out or, where it has no use for it (the in-memory runtime), ignores it.

`PublishJob`: make a job available to the workers of its type. Processors ask for it when a
job becomes activatable (created, failed with retries and no back-off, timed out, recurred
after its back-off, retries updated, its incident resolved); the engine keeps, at the end of
the batch, one request per job that is still activatable then (a job created and taken, or
canceled, in the same batch is not published). The Kafka runtime publishes it to the job's
topic (docs/jobs-on-kafka.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from broker.protocol import Record
from processors.engine.state.job_state import JobReader, JobStatus


@dataclass(frozen=True, slots=True)
class PublishJob:
    job_key: int
    record: Record[Any]
    """The event that made the job activatable (its position and timestamp are the
    publication's)."""


SideEffect: TypeAlias = PublishJob


def settle(effects: Iterable[SideEffect], jobs: JobReader) -> tuple[SideEffect, ...]:
    """The side effects of a finished batch: one PublishJob per job (the last request, in the
    order jobs were first asked for), only for jobs still activatable."""
    latest: dict[int, PublishJob] = {}
    for effect in effects:
        latest[effect.job_key] = effect
    settled = []
    for key, effect in latest.items():
        job = jobs.get(key)
        if job is not None and job.status is JobStatus.ACTIVATABLE:
            settled.append(effect)
    return tuple(settled)
