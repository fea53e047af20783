"""The commands that answer a job (COMPLETE, FAIL, THROW_ERROR), their arguments checked as
`Client.complete_job` / `fail_job` / `throw_error` check them: a wrong one raises
`InvalidArgumentError` naming it before anything is sent. The client sends them and waits;
the `Worker` sends them without holding a handler slot for the answer."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from broker.protocol.intents import JobIntent
from clients import commands as c
from clients.arguments import Arguments


def complete_command(key: int, variables: dict[str, Any] | None) -> Record[Any]:
    a = Arguments("complete_job")
    key = a.key("key", key)
    return c.job_command(JobIntent.COMPLETE, key, variables=a.variables("variables", variables))


def fail_command(
    key: int,
    retries: int,
    error_message: str,
    retry_backoff: float,
    variables: dict[str, Any] | None,
) -> Record[Any]:
    a = Arguments("fail_job")
    key = a.key("key", key)
    fields = c.fail_fields(
        a.count("retries", retries, minimum=0),
        a.text("error_message", error_message),
        a.millis("retry_backoff", retry_backoff),
        a.variables("variables", variables),
    )
    return c.job_command(JobIntent.FAIL, key, **fields)


def throw_error_command(
    key: int, error_code: str, error_message: str, variables: dict[str, Any] | None
) -> Record[Any]:
    a = Arguments("throw_error")
    key = a.key("key", key)
    return c.job_command(
        JobIntent.THROW_ERROR,
        key,
        error_code=a.text("error_code", error_code, required=True),
        error_message=a.text("error_message", error_message),
        variables=a.variables("variables", variables),
    )
