"""The client verbs on processes and instances, in the shape of zbctl: `deploy`, `create
instance`, `cancel instance`, `publish message`, `broadcast signal`, `set variables` and
`resolve incident`. Each talks to the cluster named by `--address` through the client."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from clients.cli.decision_verbs import decisions_table
from clients.cli.tables import key_column
from clients.cli.verb_options import (
    DURATION,
    ClusterTarget,
    done,
    echo_json,
    variables_of,
    verb_options,
)
from clients.results import InstanceResult


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", default=None, help="The tenant (docs/tenants.md) [default: <default>].")
@verb_options
def deploy(
    files: tuple[Path, ...],
    tenant: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Deploy BPMN and DMN FILES in one deployment; prints each process and decision, its
    version and key."""
    with cluster.client() as client:
        deployment = client.deploy(*files, tenant_id=tenant)
    if as_json:
        echo_json(deployment)
        return
    table = Table(title=f"Deployment {deployment.key}")
    table.add_column("Process")
    table.add_column("Version", justify="right")
    key_column(table, "Key", (p.process_definition_key for p in deployment.processes))
    table.add_column("Resource")
    for p in deployment.processes:
        version = f"{p.version} (unchanged)" if p.duplicate else str(p.version)
        table.add_row(p.bpmn_process_id, version, str(p.process_definition_key), p.resource_name)
    if deployment.processes:
        Console().print(table)
    if deployment.decisions:
        Console().print(decisions_table(deployment))


@click.group()
def create() -> None:
    """Create an instance."""


@create.command(name="instance")
@click.argument("process_id")
@click.option("--variables", default=None, help="Variables, a JSON object.")
@click.option("--version", type=click.IntRange(1), default=None, help="[default: the latest]")
@click.option(
    "--with-result", is_flag=True, help="Wait until the instance completes; print its variables."
)
@click.option(
    "--fetch-variables",
    default=None,
    metavar="A,B",
    help="With --with-result: only these variables.",
)
@click.option(
    "--request-timeout",
    type=DURATION,
    default=30.0,
    show_default=True,
    help="With --with-result: how long to wait (seconds, or 500ms, 5m).",
)
@click.option("--tenant", default=None, help="The tenant (docs/tenants.md) [default: <default>].")
@verb_options
def create_instance(
    process_id: str,
    variables: str | None,
    version: int | None,
    with_result: bool,
    fetch_variables: str | None,
    request_timeout: float,
    tenant: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Create an instance of PROCESS_ID (its BPMN process id); prints the instance key."""
    if fetch_variables is not None and not with_result:
        raise click.ClickException("--fetch-variables needs --with-result")
    names = tuple(n.strip() for n in (fetch_variables or "").split(",") if n.strip())
    values = variables_of(variables)
    with cluster.client() as client:
        answer = client.create_instance(
            process_id,
            values,
            version=version,
            with_result=with_result,
            timeout=request_timeout,
            fetch_variables=names,
            tenant_id=tenant,
        )
    if isinstance(answer, InstanceResult):
        if as_json:
            echo_json(answer)
        else:
            click.echo(
                f"instance {answer.process_instance_key} of {answer.bpmn_process_id}"
                f" v{answer.version} completed"
            )
            echo_json(answer.variables)
        return
    if as_json:
        echo_json({"processInstanceKey": answer, "bpmnProcessId": process_id})
    else:
        click.echo(f"instance {answer} of {process_id} created")


@click.group()
def cancel() -> None:
    """Cancel an instance."""


@cancel.command(name="instance")
@click.argument("key", type=int)
@verb_options
def cancel_instance(
    key: int,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Cancel the process instance KEY."""
    with cluster.client() as client:
        client.cancel_instance(key)
    done(as_json, {"processInstanceKey": key}, f"instance {key} canceled")


@click.group()
def publish() -> None:
    """Publish a message."""


@publish.command(name="message")
@click.argument("name")
@click.option("--correlation-key", required=True, help="Correlates to subscriptions with it.")
@click.option("--variables", default=None, help="Variables, a JSON object.")
@click.option(
    "--ttl",
    type=DURATION,
    default=0.0,
    show_default=True,
    help="How long the message waits for a subscription (seconds, or 30s, 5m, 1h).",
)
@click.option("--message-id", default=None, help="Unique per name while buffered.")
@click.option("--tenant", default=None, help="The tenant (docs/tenants.md) [default: <default>].")
@verb_options
def publish_message(
    name: str,
    correlation_key: str,
    variables: str | None,
    ttl: float,
    message_id: str | None,
    tenant: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Publish message NAME; prints the message key."""
    values = variables_of(variables)
    with cluster.client() as client:
        key = client.publish_message(
            name, correlation_key, values, ttl=ttl, message_id=message_id, tenant_id=tenant
        )
    done(as_json, {"messageKey": key}, f"message {name} published: key {key}")


@click.group()
def broadcast() -> None:
    """Broadcast a signal."""


@broadcast.command(name="signal")
@click.argument("name")
@click.option("--variables", default=None, help="Variables, a JSON object.")
@click.option("--tenant", default=None, help="The tenant (docs/tenants.md) [default: <default>].")
@verb_options
def broadcast_signal(
    name: str,
    variables: str | None,
    tenant: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Trigger every signal event named NAME; prints the signal key."""
    values = variables_of(variables)
    with cluster.client() as client:
        key = client.broadcast_signal(name, values, tenant_id=tenant)
    done(as_json, {"signalKey": key}, f"signal {name} broadcast: key {key}")


@click.group(name="set")
def set_group() -> None:
    """Set variables."""


@set_group.command(name="variables")
@click.argument("key", type=int)
@click.option("--variables", required=True, help="Variables, a JSON object.")
@click.option("--local", is_flag=True, help="Set them in that scope, not propagated upward.")
@verb_options
def set_variables(
    key: int,
    variables: str,
    local: bool,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Set variables in the scope KEY (a process or element instance key)."""
    values = variables_of(variables)
    assert values is not None
    with cluster.client() as client:
        client.set_variables(key, values, local=local)
    done(as_json, {"elementInstanceKey": key}, f"variables set in scope {key}")


@click.group()
def resolve() -> None:
    """Resolve an incident."""


@resolve.command(name="incident")
@click.argument("key", type=int)
@verb_options
def resolve_incident(
    key: int,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Resolve incident KEY once its cause is fixed (variables set, or job retries given)."""
    with cluster.client() as client:
        client.resolve_incident(key)
    done(as_json, {"incidentKey": key}, f"incident {key} resolved")
