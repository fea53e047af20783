"""`honeyflow status|instances|instance|incidents|incident resolve`: what runs, what is
stuck and why, read from the query store the exporter fills (docs/visibility.md). Only
`incident resolve` talks to the engine, through the client."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from clients.cli.cluster_address import ADDRESS_ENV, client_url
from clients.cli.decision_verbs import evaluations_table
from clients.cli.kafka_options import kafka_client_options
from clients.cli.tables import key_column
from clients.display import duration, timestamp
from processors.exporter.errors import VisibilityError
from processors.exporter.queries import INCIDENT_STATES, INSTANCE_STATES, Queries
from processors.exporter.schema import check_schema
from processors.exporter.store import open_store
from processors.exporter.views import PartitionLag

_WINDOW = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}

store_option = click.option(
    "--store",
    envvar="HONEYFLOW_STORE",
    default=None,
    help="Query store: postgresql://… or a SQLite file [default: honeyflow-visibility.db].",
)


@contextmanager
def _queries(store_url: str | None) -> Iterator[Queries]:
    try:
        store = open_store(store_url, create=False)
        check_schema(store)
    except VisibilityError as e:
        raise click.ClickException(str(e)) from e
    try:
        yield Queries(store)
    except VisibilityError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


def parse_window(text: str) -> int:
    """`90s`, `15m`, `1h`, `7d` → milliseconds."""
    match = _WINDOW.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise click.BadParameter(f"expected a duration such as 30m, 1h or 7d, not {text!r}")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def _lag_line(lags: list[PartitionLag]) -> str:
    if not lags:
        return "exporter: nothing exported yet"
    age = time.time() - max(lag.updated_at for lag in lags) / 1000
    parts = ", ".join(f"p{lag.partition_id} {lag.lag}" for lag in lags)
    return f"exporter lag (records behind): {parts}; last update {age:.1f} s ago"


@click.command()
@click.option(
    "--window",
    default=None,
    help="Durations of instances completed in the last "
    "WINDOW only (e.g. 15m, 1h, 7d) [default: all].",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list; the lag goes to stderr.")
@store_option
def status(window: str | None, as_json: bool, store: str | None) -> None:
    """Per process version: instances active, completed, canceled, open incidents, and
    durations of completed instances; then how far behind the log the exporter is."""
    start = None if window is None else int(time.time() * 1000) - parse_window(window)
    with _queries(store) as q:
        stats, lags = q.process_stats(start), q.exporter_lag()
    if as_json:
        click.echo(json.dumps([s.to_json() for s in stats], indent=2))
        click.echo(_lag_line(lags), err=True)
        return
    table = Table(title="Processes" + (f" (durations: last {window})" if window else ""))
    for name in ("Process", "Version", "Active", "Completed", "Canceled", "Incidents"):
        table.add_column(name, justify="left" if name == "Process" else "right")
    for name in ("Mean", "p50", "p95"):
        table.add_column(name, justify="right")
    for s in stats:
        table.add_row(
            s.bpmn_process_id,
            str(s.version),
            str(s.active),
            str(s.completed),
            str(s.canceled),
            f"[red]{s.incidents}[/red]" if s.incidents else "0",
            duration(s.duration_mean_ms),
            duration(s.duration_p50_ms),
            duration(s.duration_p95_ms),
        )
    console = Console()
    console.print(table)
    console.print(_lag_line(lags))


@click.command()
@click.option("--process", "process_id", default=None, help="Only this BPMN process id.")
@click.option("--state", type=click.Choice(INSTANCE_STATES, case_sensitive=False), default=None)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option(
    "--tenant",
    "tenants",
    multiple=True,
    help="Only of this tenant (repeat for several) [default: every tenant].",
)
@click.option("--json", "as_json", is_flag=True)
@store_option
def instances(
    process_id: str | None,
    state: str | None,
    limit: int,
    tenants: tuple[str, ...],
    as_json: bool,
    store: str | None,
) -> None:
    """Process instances, newest first."""
    with _queries(store) as q:
        rows = q.instances(
            process_id, state.upper() if state else None, limit, tenants=tenants or None
        )
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    table = Table(title="Instances")
    key_column(table, "Key", (r.process_instance_key for r in rows))
    for name in ("Process", "Version", "State", "Started", "Ended", "Duration", "Incid."):
        table.add_column(name)
    for r in rows:
        table.add_row(
            str(r.process_instance_key),
            r.bpmn_process_id,
            str(r.version),
            r.state,
            timestamp(r.start_time),
            timestamp(r.end_time),
            duration(r.duration_ms),
            f"[red]{r.open_incidents}[/red]" if r.open_incidents else "",
        )
    Console().print(table)


@click.command()
@click.argument("key", type=int)
@click.option("--json", "as_json", is_flag=True)
@store_option
def instance(key: int, as_json: bool, store: str | None) -> None:
    """One instance: the path it took, where it waits, its variables, jobs, incidents, the
    decisions its business rule tasks evaluated and audit records."""
    with _queries(store) as q:
        detail = q.instance(key)
        decisions = q.decision_evaluations(key)
    if as_json:
        shown = {**detail.to_json(), "decisions": [d.to_json() for d in decisions]}
        click.echo(json.dumps(shown, indent=2))
        return
    i = detail.instance
    console = Console()
    console.print(
        f"[bold]{i.bpmn_process_id}[/bold] v{i.version} instance {i.process_instance_key}: "
        f"{i.state}, started {timestamp(i.start_time)}"
        + (f", ended {timestamp(i.end_time)} after {duration(i.duration_ms)}" if i.end_time else "")
    )
    waiting = ", ".join(f"{e.element_id} ({e.bpmn_element_type})" for e in detail.waiting_at)
    console.print(f"waiting at: {waiting or '-'}")
    path = Table(title="Path")
    for name in ("Element", "Type", "State", "Started", "Ended"):
        path.add_column(name)
    for e in detail.path:
        path.add_row(
            e.element_id,
            e.bpmn_element_type,
            e.state,
            timestamp(e.start_time),
            timestamp(e.end_time),
        )
    console.print(path)
    variables = Table(title="Variables")
    key_column(variables, "Scope", (v.scope_key for v in detail.variables))
    for name in ("Name", "Value"):
        variables.add_column(name)
    for v in detail.variables:
        variables.add_row(str(v.scope_key), v.name, v.value)
    console.print(variables)
    if detail.jobs:
        jobs = Table(title="Jobs")
        key_column(jobs, "Key", (j.job_key for j in detail.jobs))
        for name in ("Element", "Type", "State", "Retries", "Worker", "Error"):
            jobs.add_column(name)
        for j in detail.jobs:
            jobs.add_row(
                str(j.job_key),
                j.element_id,
                j.job_type,
                j.state,
                str(j.retries),
                j.worker,
                j.error_message,
            )
        console.print(jobs)
    if detail.incidents:
        console.print(_incident_table(detail.incidents, "Incidents"))
    if decisions:
        console.print(evaluations_table(decisions))
    audit = Table(title="Audit records")
    for name in ("Partition", "Position", "Time", "Type", "Value type", "Intent", "Element"):
        audit.add_column(name)
    for a in detail.audit:
        audit.add_row(
            str(a.partition_id),
            str(a.position),
            timestamp(a.timestamp),
            a.record_type,
            a.value_type,
            a.intent,
            a.element_id,
        )
    console.print(audit)


def _incident_table(rows: Any, title: str) -> Table:
    table = Table(title=title)
    rows = list(rows)
    key_column(table, "Key", (r.incident_key for r in rows))
    key_column(table, "Instance", (r.process_instance_key for r in rows))
    for name in (
        "Process",
        "Element",
        "Type",
        "Message",
    ):
        table.add_column(name)
    key_column(table, "Job", (r.job_key for r in rows if r.job_key > 0))
    for name in ("State", "Created"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            str(r.incident_key),
            str(r.process_instance_key),
            r.bpmn_process_id,
            r.element_id,
            r.error_type,
            r.error_message,
            str(r.job_key) if r.job_key > 0 else "",
            r.state,
            timestamp(r.created_at),
        )
    return table


@click.command()
@click.option(
    "--state",
    type=click.Choice([s.lower() for s in INCIDENT_STATES]),
    default="open",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option(
    "--tenant",
    "tenants",
    multiple=True,
    help="Only of this tenant (repeat for several) [default: every tenant].",
)
@click.option("--json", "as_json", is_flag=True)
@store_option
def incidents(
    state: str, limit: int, tenants: tuple[str, ...], as_json: bool, store: str | None
) -> None:
    """Incidents, newest first."""
    with _queries(store) as q:
        rows = q.incidents(state.upper(), limit, tenants=tenants or None)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    Console().print(_incident_table(rows, f"Incidents ({state})"))


@click.group()
def incident() -> None:
    """Act on one incident."""


@incident.command()
@click.argument("key", type=int)
@click.option(
    "--address",
    "--url",
    "address",
    envvar=[ADDRESS_ENV, "HONEYFLOW_URL"],
    required=True,
    metavar="ADDRESS",
    help=f"The cluster: HOST:PORT or kafka://HOST:PORT[?prefix=P] [env: {ADDRESS_ENV}].",
)
@click.option(
    "--retries",
    type=click.IntRange(1),
    default=None,
    help="JOB_NO_RETRIES, EXECUTION_LISTENER_NO_RETRIES: first give the job this many retries.",
)
@kafka_client_options
@store_option
def resolve(
    key: int,
    address: str,
    retries: int | None,
    kafka_config: Path | None,
    overrides: tuple[str, ...],
    store: str | None,
) -> None:
    """Resolve incident KEY once its cause is fixed (variables set, or retries given)."""
    from broker.kafka_config import parse_overrides
    from broker.protocol.values import JOB_RETRIES_ERRORS
    from clients.client import connect
    from clients.errors import HoneyflowError

    job_key = None
    if retries is not None:
        with _queries(store) as q:
            found = q.incident(key)
        if found.error_type not in JOB_RETRIES_ERRORS or found.job_key <= 0:
            raise click.ClickException(
                f"incident {key} is {found.error_type}, not a job without retries; "
                "--retries does not apply"
            )
        job_key = found.job_key
    try:
        with connect(
            client_url(address), kafka_config=kafka_config, kafka_options=parse_overrides(overrides)
        ) as client:
            if job_key is not None and retries is not None:
                client.update_job_retries(job_key, retries)
                click.echo(f"job {job_key}: retries set to {retries}")
            client.resolve_incident(key)
    except HoneyflowError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"incident {key} resolved")
