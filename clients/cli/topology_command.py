"""`honeyflow topology`: the cluster as a client sees it, as zbctl status does: the Kafka
brokers, the partitions of the commands topic with their leaders, and which engine of the
engine group (`<prefix>engine`) processes each partition now."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from clients.cli.cluster_address import quiet
from clients.cli.verb_options import ClusterTarget, echo_json, verb_options
from clients.cluster_topology import read_topology, short_member
from clients.errors import ConnectError


@click.command()
@verb_options
def topology(
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Brokers, partitions and the engine that processes each partition."""
    reached, config = cluster.reach()
    topic_prefix = reached.with_prefix(cluster.prefix)
    try:
        answer = read_topology(quiet(config), reached.bootstrap, topic_prefix)
    except ConnectError as error:
        raise click.ClickException(str(error)) from None
    brokers, partitions = answer["brokers"], answer["partitions"]
    state = answer["engineGroup"]["state"]
    members = answer["engineGroup"]["members"]
    if as_json:
        echo_json(answer)
        return
    console = Console()
    console.print(
        f"Cluster {reached.bootstrap}, prefix {topic_prefix}: {len(brokers)} broker(s),"
        f" {len(partitions)} partition(s), engine group {state}"
        f" with {members} engine(s)"
    )
    table = Table(title="Brokers")
    for name in ("Node", "Host", "Port"):
        table.add_column(name)
    for b in brokers:
        table.add_row(str(b["nodeId"]), b["host"], str(b["port"]))
    console.print(table)
    table = Table(title="Partitions")
    for name in ("Partition", "Leader", "Replicas", "In sync"):
        table.add_column(name)
    table.add_column("Engine")
    for p in partitions:
        engine = p["engine"]
        table.add_row(
            str(p["partitionId"]),
            str(p["leader"]),
            ",".join(map(str, p["replicas"])),
            ",".join(map(str, p["inSync"])),
            f"{engine['host'].lstrip('/')} {short_member(engine['memberId'])}"
            if engine
            else "[red]none[/red]",
        )
    console.print(table)
