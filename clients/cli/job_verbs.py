"""The client verbs on jobs, in the shape of zbctl: `activate jobs`, `complete job`, `fail
job`, `throw error`, `update retries` and `update timeout`, for working a job by hand."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from clients.cli.tables import key_column
from clients.cli.verb_options import (
    DURATION,
    ClusterTarget,
    done,
    echo_json,
    variables_of,
    verb_options,
)


@click.group()
def activate() -> None:
    """Activate jobs."""


@activate.command(name="jobs")
@click.argument("job_type")
@click.option("--max-jobs", type=click.IntRange(1), default=32, show_default=True)
@click.option(
    "--timeout",
    type=DURATION,
    default=300.0,
    show_default=True,
    help="How long the jobs are this worker's (seconds, or 30s, 5m).",
)
@click.option("--worker", default="honeyflow-cli", show_default=True)
@click.option(
    "--request-timeout",
    type=DURATION,
    default=0.0,
    show_default=True,
    help="When no job is ready, wait this long for a first one (long polling; 10s, 1m).",
)
@click.option(
    "--tenant",
    "tenants",
    multiple=True,
    help="Activate jobs of this tenant (repeat for several) [default: <default>].",
)
@verb_options
def activate_jobs(
    job_type: str,
    max_jobs: int,
    timeout: float,
    worker: str,
    request_timeout: float,
    tenants: tuple[str, ...],
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Activate up to --max-jobs jobs of JOB_TYPE that are ready now, or the first to come
    within --request-timeout (none is no error)."""
    with cluster.client() as client:
        jobs = client.activate_jobs(
            job_type,
            max_jobs=max_jobs,
            timeout=timeout,
            worker=worker,
            wait=request_timeout,
            tenant_ids=tenants or None,
        )
    if as_json:
        echo_json(jobs)
        return
    table = Table(title=f"{len(jobs)} job(s) of type {job_type} activated")
    key_column(table, "Key", (j.key for j in jobs))
    key_column(table, "Instance", (j.process_instance_key for j in jobs))
    for name in ("Process", "Element", "Retries", "Variables"):
        table.add_column(name)
    for j in jobs:
        table.add_row(
            str(j.key),
            str(j.process_instance_key),
            j.bpmn_process_id,
            j.element_id,
            str(j.retries),
            _cut(json.dumps(j.variables), _VARIABLES_SHOWN),
        )
    Console().print(table)


@click.group()
def complete() -> None:
    """Complete a job."""


@complete.command(name="job")
@click.argument("key", type=int)
@click.option("--variables", default=None, help="Variables, a JSON object.")
@verb_options
def complete_job(
    key: int,
    variables: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Complete the activated job KEY."""
    values = variables_of(variables)
    with cluster.client() as client:
        client.complete_job(key, values)
    done(as_json, {"jobKey": key}, f"job {key} completed")


@click.group()
def fail() -> None:
    """Fail a job."""


@fail.command(name="job")
@click.argument("key", type=int)
@click.option(
    "--retries", type=click.IntRange(0), required=True, help="Retries left; 0 raises an incident."
)
@click.option("--error-message", default="", help="Why it failed (the incident's message).")
@click.option(
    "--retry-backoff",
    type=DURATION,
    default=0.0,
    show_default=True,
    help="Wait before the job is activatable again (seconds, or 30s, 5m).",
)
@click.option("--variables", default=None, help="Variables, a JSON object.")
@verb_options
def fail_job(
    key: int,
    retries: int,
    error_message: str,
    retry_backoff: float,
    variables: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Fail the activated job KEY with --retries left."""
    values = variables_of(variables)
    with cluster.client() as client:
        client.fail_job(key, retries, error_message, retry_backoff, values)
    done(as_json, {"jobKey": key}, f"job {key} failed, {retries} retries left")


@click.group()
def throw() -> None:
    """Throw a BPMN error."""


@throw.command(name="error")
@click.argument("key", type=int)
@click.option("--error-code", required=True, help="Caught by an error event with this code.")
@click.option("--error-message", default="", help="The incident's message if nothing catches it.")
@click.option("--variables", default=None, help="Variables, a JSON object.")
@verb_options
def throw_error(
    key: int,
    error_code: str,
    error_message: str,
    variables: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Throw a BPMN error from the activated job KEY."""
    values = variables_of(variables)
    with cluster.client() as client:
        client.throw_error(key, error_code, error_message, values)
    done(as_json, {"jobKey": key}, f"error {error_code} thrown from job {key}")


@click.group()
def update() -> None:
    """Update a job's retries or time-out."""


@update.command(name="retries")
@click.argument("key", type=int)
@click.option("--retries", type=click.IntRange(1), required=True)
@verb_options
def update_retries(
    key: int,
    retries: int,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Give job KEY --retries retries (then resolve its incident, if it has one)."""
    with cluster.client() as client:
        client.update_job_retries(key, retries)
    done(as_json, {"jobKey": key}, f"job {key}: retries set to {retries}")


@update.command(name="timeout")
@click.argument("key", type=int)
@click.option(
    "--timeout",
    type=DURATION,
    required=True,
    help="The new deadline, from now (seconds, or 30s, 5m).",
)
@verb_options
def update_timeout(
    key: int,
    timeout: float,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Give the activated job KEY a new deadline --timeout from now."""
    with cluster.client() as client:
        client.update_job_timeout(key, timeout)
    done(as_json, {"jobKey": key}, f"job {key}: deadline {timeout:g} s from now")


_VARIABLES_SHOWN = 60
"""Characters of a job's variables in the table; --json has them all."""


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
