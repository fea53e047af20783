"""`honeyflow tasks list` and `honeyflow task show|assign|claim|unassign|update|complete`: the
Camunda user tasks (`zeebe:userTask`) people work on. `tasks list` and `task show` read the
query store the exporter fills, like `honeyflow instances`; the other verbs go through the
client to the cluster, like `honeyflow complete job` (docs/user-tasks.md)."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from clients.cli.status_commands import _queries, store_option
from clients.cli.tables import key_column
from clients.cli.verb_options import ClusterTarget, done, echo_json, variables_of, verb_options
from clients.display import timestamp
from clients.user_tasks import UNCHANGED, UserTask
from processors.exporter.user_task_views import USER_TASK_STATES
from processors.exporter.user_task_views import UserTask as StoredTask


@click.group()
def tasks() -> None:
    """List user tasks (from the query store)."""


@tasks.command(name="list")
@click.option("--assignee", default=None, help="Only tasks assigned to this user.")
@click.option("--group", default=None, help="Only tasks this candidate group may claim.")
@click.option("--user", default=None, help="Only tasks this candidate user may claim.")
@click.option(
    "--state",
    type=click.Choice([s.lower() for s in USER_TASK_STATES], case_sensitive=False),
    default=None,
    help="created (open), completed or canceled [default: all].",
)
@click.option("--instance", type=int, default=None, help="Only the tasks of this instance.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@store_option
def list_tasks(
    assignee: str | None,
    group: str | None,
    user: str | None,
    state: str | None,
    instance: int | None,
    limit: int,
    as_json: bool,
    store: str | None,
) -> None:
    """User tasks, newest first."""
    with _queries(store) as q:
        rows = q.user_tasks(
            state=state.upper() if state else None,
            assignee=assignee,
            candidate_group=group,
            candidate_user=user,
            process_instance_key=instance,
            limit=limit,
        )
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    table = Table(title="User tasks")
    key_column(table, "Key", (r.user_task_key for r in rows))
    key_column(table, "Instance", (r.process_instance_key for r in rows))
    for name in ("Process", "Element", "State", "Assignee", "Groups", "Due", "Prio", "Created"):
        table.add_column(name)
    for r in rows:
        table.add_row(
            str(r.user_task_key),
            str(r.process_instance_key),
            r.bpmn_process_id,
            r.element_id,
            r.state,
            r.assignee or "-",
            ", ".join(r.candidate_groups) or "-",
            r.due_date or "-",
            str(r.priority),
            timestamp(r.creation_time),
        )
    Console().print(table)


@click.group()
def task() -> None:
    """Show, assign, claim, unassign, update or complete a user task."""


@task.command(name="show")
@click.argument("key", type=int)
@click.option("--json", "as_json", is_flag=True)
@store_option
def show_task(key: int, as_json: bool, store: str | None) -> None:
    """User task KEY with its form (from the query store)."""
    with _queries(store) as q:
        detail = q.user_task(key)
    if as_json:
        click.echo(json.dumps(detail.to_json(), indent=2))
        return
    for label, value in _lines(detail.task):
        click.echo(f"{label:<13} {value}")
    if detail.form is not None:
        click.echo(f"{'form':<13} {detail.form.form_id} v{detail.form.version}")
        click.echo(detail.form.schema)


def _lines(t: StoredTask) -> list[tuple[str, Any]]:
    return [
        ("task", t.user_task_key),
        ("process", f"{t.bpmn_process_id} v{t.process_definition_version}"),
        ("instance", t.process_instance_key),
        ("element", t.element_id),
        ("state", t.state),
        ("assignee", t.assignee or "-"),
        ("groups", ", ".join(t.candidate_groups) or "-"),
        ("users", ", ".join(t.candidate_users) or "-"),
        ("due", t.due_date or "-"),
        ("follow-up", t.follow_up_date or "-"),
        ("priority", t.priority),
        ("external form", t.external_form_reference or "-"),
        ("created", timestamp(t.creation_time)),
        ("ended", timestamp(t.completion_time)),
    ]


def _answer(as_json: bool, answer: UserTask, line: str) -> None:
    if as_json:
        echo_json(answer)
    else:
        click.echo(line)


@task.command(name="assign")
@click.argument("key", type=int)
@click.option("--assignee", required=True, help="The user to assign the task to.")
@verb_options
def assign_task(key: int, assignee: str, cluster: ClusterTarget, as_json: bool) -> None:
    """Assign user task KEY to --assignee (whoever holds it now)."""
    with cluster.client() as client:
        answer = client.assign_user_task(key, assignee)
    _answer(as_json, answer, f"task {key} assigned to {assignee}")


@task.command(name="claim")
@click.argument("key", type=int)
@click.option("--assignee", required=True, help="The user who claims the task.")
@verb_options
def claim_task(key: int, assignee: str, cluster: ClusterTarget, as_json: bool) -> None:
    """Claim user task KEY for --assignee; refused if another user holds it."""
    with cluster.client() as client:
        answer = client.claim_user_task(key, assignee)
    _answer(as_json, answer, f"task {key} claimed by {assignee}")


@task.command(name="unassign")
@click.argument("key", type=int)
@verb_options
def unassign_task(key: int, cluster: ClusterTarget, as_json: bool) -> None:
    """Unassign user task KEY."""
    with cluster.client() as client:
        answer = client.unassign_user_task(key)
    _answer(as_json, answer, f"task {key} unassigned")


@task.command(name="update")
@click.argument("key", type=int)
@click.option("--due-date", default=None, help="ISO 8601 date-time with offset; '' clears it.")
@click.option("--follow-up-date", default=None, help="ISO 8601 date-time; '' clears it.")
@click.option("--groups", default=None, help="Candidate groups, comma-separated ('' none).")
@click.option("--users", default=None, help="Candidate users, comma-separated ('' none).")
@click.option("--priority", type=click.IntRange(0, 100), default=None)
@verb_options
def update_task(
    key: int,
    due_date: str | None,
    follow_up_date: str | None,
    groups: str | None,
    users: str | None,
    priority: int | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Change the given attributes of user task KEY; the others stay."""
    changes: dict[str, Any] = {
        "due_date": UNCHANGED if due_date is None else due_date,
        "follow_up_date": UNCHANGED if follow_up_date is None else follow_up_date,
        "candidate_groups": UNCHANGED if groups is None else _names(groups),
        "candidate_users": UNCHANGED if users is None else _names(users),
        "priority": UNCHANGED if priority is None else priority,
    }
    with cluster.client() as client:
        answer = client.update_user_task(key, **changes)
    changed = ", ".join(answer.changed_attributes) or "nothing"
    _answer(as_json, answer, f"task {key} updated: {changed}")


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


@task.command(name="complete")
@click.argument("key", type=int)
@click.option("--variables", default=None, help="Variables, a JSON object.")
@click.option("--action", default=None, help="A custom action name [default: complete].")
@verb_options
def complete_task(
    key: int, variables: str | None, action: str | None, cluster: ClusterTarget, as_json: bool
) -> None:
    """Complete user task KEY with --variables; the process goes on."""
    values = variables_of(variables)
    with cluster.client() as client:
        client.complete_user_task(key, values, action=action)
    done(as_json, {"userTaskKey": key}, f"task {key} completed")
