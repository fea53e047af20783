"""Due date checkers: what the passing of time calls for, as commands (job deadlines → JOB
TIME_OUT, back-offs → JOB RECUR_AFTER_BACKOFF). They read state and never change it; the
runtime calls them with its clock and processes the commands like any other."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from broker.protocol.intents import JobIntent
from processors.engine.state import StateReaders


def due_commands(state: StateReaders, now_ms: int) -> list[Record[Any]]:
    commands: list[Record[Any]] = []
    for job_key in state.jobs.deadlines_until(now_ms):
        job = state.jobs.get(job_key)
        if job is not None:
            commands.append(Record.command(JobIntent.TIME_OUT, job.value, key=job_key))
    for job_key in state.jobs.backoffs_until(now_ms):
        job = state.jobs.get(job_key)
        if job is not None:
            commands.append(Record.command(JobIntent.RECUR_AFTER_BACKOFF, job.value, key=job_key))
    return commands
