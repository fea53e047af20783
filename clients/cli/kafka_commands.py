"""`honeyflow kafka up|down|status|fetch`: a real Kafka on loopback for development and tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from broker.errors import BrokerError
from broker.kafka_cluster import DEFAULT_BASE_PORT, LocalCluster
from broker.kafka_compose import write_compose_files
from broker.kafka_dist import KAFKA_VERSION, fetch, require_java
from broker.kafka_roles import ROLES, role_grants
from broker.kafka_security import ClusterSecrets, SigningGrant, add_user, grant_standard_roles
from broker.protocol.principal import DEFAULT_TENANTS, Role
from broker.topics import DEFAULT_PREFIX

DEFAULT_DIR = Path(".honeyflow") / "kafka"

dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Directory holding the cluster's configuration, data and logs.",
)


@click.group()
def kafka() -> None:
    """Run Apache Kafka locally (KRaft mode, jars from Maven Central, no Docker)."""


@kafka.command()
@click.option("--nodes", type=click.Choice(["1", "3"]), default="1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_BASE_PORT,
    show_default=True,
    help="First broker port; brokers use PORT.., controllers follow. 0 picks free ports.",
)
@click.option("--timeout", type=float, default=120.0, show_default=True)
@click.option(
    "--secure",
    is_flag=True,
    help="SASL_SSL (SCRAM-SHA-512 over TLS), ACLs per role, credential files under "
    "DIR/credentials/ (docs/security.md). Only when the cluster is made.",
)
@click.option(
    "--prefix",
    default=DEFAULT_PREFIX,
    show_default=True,
    help="With --secure: the topic prefix the roles' ACLs are for.",
)
@dir_option
def up(nodes: str, port: int, timeout: float, secure: bool, prefix: str, directory: Path) -> None:
    """Start the cluster (or reuse a running one) and print its bootstrap servers."""
    cluster = LocalCluster(directory)
    try:
        spec = cluster.up(int(nodes), base_port=port, timeout=timeout, secure=secure, prefix=prefix)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    click.echo(spec.bootstrap)
    if spec.secure:
        credentials = ClusterSecrets(cluster.directory).credentials_dir
        click.echo(f"credentials (give one with --kafka-config FILE): {credentials}", err=True)
        click.echo(
            "commands signed by their principal (docs/security.md): start the engine with"
            f" --admin-public-key {credentials / 'admin.pub'}",
            err=True,
        )


@kafka.group()
def user() -> None:
    """Principals of a secure local cluster."""


@user.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--job-type", help="The job type a worker works on (its only job topic).")
@click.option(
    "--tenant",
    "tenants",
    multiple=True,
    help="A tenant the principal is granted (repeat for several) [default: <default>].",
)
@dir_option
def user_add(
    name: str, role: str, job_type: str | None, tenants: tuple[str, ...], directory: Path
) -> None:
    """Add principal NAME with ROLE's ACLs and print its credentials file,
    DIR/credentials/NAME.properties (give it to the process with --kafka-config)."""
    cluster = LocalCluster(directory)
    try:
        spec = cluster.spec()
        if spec is None or not spec.secure:
            raise BrokerError(
                f"no secure cluster in {directory}; start one with `honeyflow kafka up --secure`"
            )
        if job_type is not None and role != "worker":
            raise BrokerError("--job-type is for --role worker")
        if role == "worker" and job_type is None:
            raise BrokerError("--role worker needs --job-type")
        grants = role_grants(role, spec.topic_prefix, job_type, tenants or DEFAULT_TENANTS)
        signing = SigningGrant(
            Role(role),
            (job_type,) if job_type else (),
            tenants or DEFAULT_TENANTS,
        )
        path = add_user(ClusterSecrets(cluster.directory), spec.bootstrap, name, grants, signing)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    click.echo(path)


@user.command(name="revoke")
@click.argument("name")
@dir_option
def user_revoke(name: str, directory: Path) -> None:
    """Stop honouring principal NAME's signing key: add it to DIR/credentials/revoked-keys
    (print it; restart the engines with --revoked-keys FILE) and delete NAME's key and
    certificate, so that `kafka user add NAME` gives it a new pair. Its Kafka password stays:
    `kafka user add NAME` again changes it."""
    try:
        path = ClusterSecrets(directory).revoke(name)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    click.echo(path)


_compose_dir = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Where the secure files are: HONEYFLOW_SECURE_DIR of docker-compose.secure.yml.",
)


@kafka.command(name="secure-files")
@_compose_dir
def secure_files(directory: Path) -> None:
    """Write what docker-compose.secure.yml mounts into DIR: a CA and the key stores of
    kafka-1..3, SCRAM passwords, the brokers' secret settings and the credentials of admin,
    engine, exporter, operator and reader (docs/security.md). Existing ones are kept."""
    try:
        written = write_compose_files(directory)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    for path in written:
        click.echo(path)


@kafka.command(name="grant-roles")
@_compose_dir
@click.option("--address", required=True, help="Bootstrap servers of the secure cluster.")
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True)
def grant_roles(directory: Path, address: str, prefix: str) -> None:
    """Create the ACLs of the standard principals (engine, exporter, operator, reader) on
    topics under PREFIX, as the admin of DIR/credentials/admin.properties."""
    try:
        grant_standard_roles(ClusterSecrets(directory), address, prefix)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e


@kafka.command()
@click.option("--purge", is_flag=True, help="Also delete the cluster's data and logs.")
@dir_option
def down(purge: bool, directory: Path) -> None:
    """Stop every node of the cluster (controlled shutdown, SIGKILL after a minute)."""
    cluster = LocalCluster(directory)
    try:
        cluster.down()
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    if purge and directory.exists():
        shutil.rmtree(directory)


@kafka.command()
@dir_option
def status(directory: Path) -> None:
    """Each node: id, port, pid, up or down. Exit code 1 when a node is down."""
    cluster = LocalCluster(directory)
    try:
        nodes = cluster.status()
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    if not nodes:
        raise click.ClickException(
            f"no cluster in {directory}; start one with `honeyflow kafka up`"
        )
    table = Table("node", "port", "pid", "state", "log")
    for n in nodes:
        table.add_row(
            str(n.node_id),
            str(n.broker_port),
            str(n.pid or "-"),
            "up" if n.up else "down",
            str(n.log_file),
        )
    Console(width=200).print(table)
    if not all(n.up for n in nodes):
        raise SystemExit(1)


# Kafka's console tools, by the names of their kafka-*.sh scripts.
TOOLS = {
    "console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "topics": "org.apache.kafka.tools.TopicCommand",
    "consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "get-offsets": "org.apache.kafka.tools.GetOffsetShell",
}


@kafka.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("name", type=click.Choice(sorted(TOOLS)))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def tool(name: str, args: tuple[str, ...]) -> None:
    """Run one of Kafka's console tools, e.g.

    honeyflow kafka tool console-consumer --bootstrap-server 127.0.0.1:9092
    --topic honeyflow.events --from-beginning
    """
    try:
        java = require_java()
        dist = fetch()
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    cmd = [java, "-Xmx256m", "-cp", dist.classpath("tools"), TOOLS[name], *args]
    raise SystemExit(subprocess.call(cmd))


@kafka.command(name="fetch")
def fetch_command() -> None:
    """Fetch and check the Kafka jars (cached, so later starts need no network)."""
    try:
        dist = fetch()
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Kafka {KAFKA_VERSION} at {dist.root}")
