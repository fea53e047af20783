"""`honeyflow replay KEY`: an instance's history from the audit log, record by record, with
where its tokens were, its open incidents and the variable each record set (the state is
computed by clients.instance_history, which the web console's time-travel slider shows too).
Reads the cluster's audit log (`--address`) or a file of records (`--records`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from clients.cli.cluster_address import address_option
from clients.cli.kafka_options import kafka_client_options
from clients.cli.tables import key_column
from clients.cli.verb_options import ClusterTarget
from clients.display import timestamp
from clients.instance_history import HistoryStep, InstanceState, instance_history

_KEY_FIELDS = ("key", "scopeKey", "flowScopeKey", "elementInstanceKey", "jobKey")


@click.command()
@click.argument("key", type=int)
@click.option(
    "--records",
    "records_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the records from FILE (a JSON array, or one record per line) instead of the"
    " cluster's audit log.",
)
@click.option("--step", is_flag=True, help="Wait for Enter after each record (q: stop).")
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
@kafka_client_options
@click.option(
    "--prefix", default=None, help="Topic prefix [default: the address's, or honeyflow.]."
)
@address_option(required=False)
def replay(
    key: int,
    records_file: Path | None,
    step: bool,
    as_json: bool,
    kafka_config: Path | None,
    prefix: str | None,
    address: str | None,
    overrides: tuple[str, ...],
) -> None:
    """The history of process instance KEY from the audit log: each of its events and
    rejections, with where its tokens were and its open incidents after it, then its
    variables and incidents at the end."""
    if records_file is not None:
        records = _read_records(records_file)
    elif address:
        with ClusterTarget(address, prefix, kafka_config, overrides).client() as client:
            records = client.records()
    else:
        raise click.UsageError("give --address (or HONEYFLOW_ADDRESS) or --records FILE")
    steps = instance_history(records, key)
    if not steps:
        raise click.ClickException(f"no records of process instance {key} in the audit log")
    if as_json:
        click.echo(json.dumps([_numeric_keys(s.to_json()) for s in steps], indent=2))
        return
    console = Console(highlight=False)
    last = steps[-1].after
    console.print(
        f"[bold]Instance {key}[/bold] of {escape(last.bpmn_process_id)} v{last.version}:"
        f" {len(steps)} records"
    )
    for s in steps:
        console.print(_step_line(s))
        console.print(f"      [dim]after:[/dim] {escape(_state_line(s.after))}")
        if step and not _wait():
            return
    _print_final(console, steps[-1].after)


def _read_records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        if text.lstrip().startswith("["):
            found = json.loads(text)
        else:
            found = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{path}: not JSON records ({error})") from None
    if not isinstance(found, list) or not all(isinstance(r, dict) for r in found):
        raise click.ClickException(f"{path}: expected a list of records (JSON objects)")
    return found


def _step_line(s: HistoryStep) -> str:
    kind = {"EVENT": "", "COMMAND_REJECTION": "[red]rejected[/red] "}.get(
        s.record_type, s.record_type + " "
    )
    what = f"{s.value_type} {s.intent}"
    element = f" [cyan]{escape(s.element_id)}[/cyan]" if s.element_id else ""
    detail = f" {escape(s.detail)}" if s.detail else ""
    reason = f": {escape(s.rejection_reason)}" if s.rejection_reason else ""
    return (
        f"[dim]#{s.index:<4} {timestamp(s.timestamp)} p{s.partition_id}@{s.position}[/dim]"
        f" {kind}{what}{element}{detail}{reason}"
    )


def _state_line(state: InstanceState) -> str:
    tokens = ", ".join(f"{e.element_id} ({_short_state(e.state)})" for e in state.active)
    parts = [state.state.removeprefix("ELEMENT_").lower() or "not started"]
    parts.append(f"tokens at {tokens}" if tokens else "no tokens")
    if state.incidents:
        parts.append(
            "incidents: " + ", ".join(f"{i.error_type} at {i.element_id}" for i in state.incidents)
        )
    parts.append(f"{len(state.variables)} variables")
    return " · ".join(parts)


def _short_state(intent: str) -> str:
    return intent.removeprefix("ELEMENT_").lower()


def _print_final(console: Console, state: InstanceState) -> None:
    variables = Table(title="Variables at the end")
    key_column(variables, "Scope", (v.scope_key for v in state.variables))
    variables.add_column("Name")
    variables.add_column("Value")
    for v in state.variables:
        variables.add_row(str(v.scope_key), v.name, json.dumps(v.value))
    console.print(variables)
    if state.incidents:
        incidents = Table(title="Open incidents at the end")
        key_column(incidents, "Key", (i.key for i in state.incidents))
        for name in ("Element", "Type", "Message"):
            incidents.add_column(name)
        for i in state.incidents:
            incidents.add_row(str(i.key), i.element_id, i.error_type, i.error_message)
        console.print(incidents)


def _wait() -> bool:
    answer = click.get_text_stream("stdin").readline()
    return answer != "" and answer.strip().lower() != "q"


def _numeric_keys(value: Any) -> Any:
    """The CLI's JSON gives keys as numbers (the web's as strings, for JavaScript)."""
    if isinstance(value, dict):
        return {
            k: int(v)
            if (k in _KEY_FIELDS or k == "processDefinitionKey") and isinstance(v, str)
            else _numeric_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_numeric_keys(v) for v in value]
    return value
