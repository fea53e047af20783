"""`honeyflow batch resolve|cancel|migrate --process ID [filters]`: resolve the open incidents,
cancel the active instances, or migrate the active instances, of a process that match a
filter (`--version`, `--element`, `--type`, `--variable NAME=JSON`) — found in the query store
(`--store`), worked through the cluster (`--address`) one ordinary command after another,
each item's outcome printed as it comes. `--progress FILE` appends each outcome as a JSON
line and skips the items a previous run already did, so a batch stopped half-way (or run
again before the exporter caught up) goes on where it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from clients.batch_progress import DONE, append, done_keys
from clients.batch_runner import MigrationPlan, run_batch
from clients.cli.migrate_verbs import _mappings
from clients.cli.status_commands import _queries, store_option
from clients.cli.verb_options import ClusterTarget, verb_options
from processors.exporter.batch_queries import BatchItem, incidents_to_resolve, instances_to_cancel


@click.group()
def batch() -> None:
    """Resolve, cancel or migrate many at once (docs/operations.md, "The operator's console")."""


def parse_variable(text: str | None) -> tuple[str, object] | None:
    """NAME=JSON → (name, value); None for no filter."""
    if not text:
        return None
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise click.BadParameter(
            f'expected NAME=JSON (e.g. region="EU"), but was {text!r}', param_hint="--variable"
        )
    try:
        return name.strip(), json.loads(value)
    except ValueError as e:
        raise click.BadParameter(
            f"the value of {name.strip()!r} is not JSON ({e}): {value!r}; quote a string,"
            " e.g. region='\"EU\"'",
            param_hint="--variable",
        ) from None


def _options(command: Any) -> Any:
    command = click.option(
        "--progress",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Append each outcome to FILE (JSON lines) and skip what it says is done.",
    )(command)
    command = click.option("--dry-run", is_flag=True, help="List what matches; send nothing.")(
        command
    )
    command = click.option(
        "--variable",
        default=None,
        metavar="NAME=JSON",
        help="Only instances with a variable NAME (any scope) whose value is JSON.",
    )(command)
    command = click.option("--type", "error_type", default="", help="An open incident's type.")(
        command
    )
    command = click.option("--element", default="", help="The element they wait at.")(command)
    command = click.option(
        "--version", type=int, default=None, help="Only this version of the process."
    )(command)
    command = click.option("--process", "process_id", required=True, help="BPMN process id.")(
        command
    )
    return store_option(verb_options(command))


def _run(
    action: str,
    process_id: str,
    version: int | None,
    element: str,
    error_type: str,
    variable: str | None,
    dry_run: bool,
    progress: Path | None,
    store: str | None,
    cluster: ClusterTarget,
    as_json: bool,
    migration: MigrationPlan | None = None,
) -> None:
    wanted = parse_variable(variable)
    find = incidents_to_resolve if action == "resolve" else instances_to_cancel
    with _queries(store) as q:
        items = find(
            q.store, process_id, element, error_type.upper(), version=version, variable=wanted
        )
    done = done_keys(progress) if progress is not None else set()
    todo = [i for i in items if i.key not in done]
    if not as_json:
        click.echo(
            f"{len(items)} match, {len(items) - len(todo)} already done by an earlier run,"
            f" {len(todo)} to {action}"
        )
    if dry_run:
        for item in todo:
            _print(as_json, item, "would " + action)
        return
    counts = {"done": 0, "refused": 0}

    def report(item: BatchItem, outcome: str) -> None:
        counts["done" if outcome == DONE else "refused"] += 1
        _print(as_json, item, outcome)
        if progress is not None:
            append(progress, {"key": item.key, "outcome": outcome})

    with cluster.client() as client:
        run_batch(client, action, todo, report, migration)
    if not as_json:
        click.echo(f"{counts['done']} done, {counts['refused']} refused")
    if counts["refused"]:
        raise SystemExit(1)


def _print(as_json: bool, item: BatchItem, outcome: str) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "key": item.key,
                    "processInstanceKey": item.process_instance_key,
                    "elementId": item.element_id,
                    "errorType": item.error_type,
                    "outcome": outcome,
                }
            )
        )
    else:
        what = f"incident {item.key} of instance" if item.key != item.process_instance_key else ""
        click.echo(f"{what} {item.process_instance_key}: {outcome}".strip())


@batch.command(name="resolve")
@_options
def resolve_many(**options: Any) -> None:
    """Resolve the open incidents of --process at --element of --type."""
    _run("resolve", **options)


@batch.command(name="cancel")
@_options
def cancel_many(**options: Any) -> None:
    """Cancel the active instances of --process waiting at --element, with an open incident
    of --type."""
    _run("cancel", **options)


@batch.command(name="migrate")
@click.option(
    "--target",
    type=int,
    required=True,
    metavar="DEFINITION_KEY",
    help="The process definition key to migrate to (honeyflow deploy prints it).",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="SOURCE:TARGET",
    help="An active element's id and the target element it becomes; repeat per element.",
)
@_options
def migrate_many(target: int, pairs: tuple[str, ...], **options: Any) -> None:
    """Migrate the active instances of --process (of --version, waiting at --element, ...) to
    the process definition --target, one MIGRATE command per instance."""
    _run("migrate", **options, migration=MigrationPlan(target, _mappings(pairs)))
