"""`honeyflow topology`: the cluster as a client sees it, as zbctl status does: the Kafka
brokers, the partitions of the commands topic with their leaders, and which engine of the
engine group (`<prefix>engine`) processes each partition now."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table

from clients.cli.cluster_address import quiet
from clients.cli.verb_options import ClusterTarget, echo_json, verb_options

_TIMEOUT = 10.0


@click.command()
@verb_options
def topology(
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Brokers, partitions and the engine that processes each partition."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    reached, config = cluster.reach()
    topic_prefix = reached.with_prefix(cluster.prefix)
    admin = AdminClient(quiet(config))
    try:
        metadata = admin.list_topics(timeout=_TIMEOUT)
        [future] = admin.describe_consumer_groups([topic_prefix + "engine"]).values()
        group = future.result(timeout=_TIMEOUT)
    except KafkaException as error:
        raise click.ClickException(f"{reached.bootstrap}: {error.args[0]}") from None
    commands = metadata.topics.get(topic_prefix + "commands")
    if commands is None or not commands.partitions:
        raise click.ClickException(
            f"topic {topic_prefix}commands does not exist at {reached.bootstrap}"
            f" (start an engine, or `honeyflow topics create --prefix {topic_prefix}`)"
        )
    owners: dict[int, dict[str, str]] = {}
    for member in group.members:
        assigned = member.assignment.topic_partitions if member.assignment else []
        for tp in assigned:
            if tp.topic == commands.topic:
                owners[tp.partition] = {
                    "memberId": member.member_id,
                    "clientId": member.client_id,
                    "host": member.host,
                }
    brokers: list[dict[str, Any]] = [
        {"nodeId": b.id, "host": b.host, "port": b.port}
        for b in sorted(metadata.brokers.values(), key=lambda b: b.id)
    ]
    partitions: list[dict[str, Any]] = [
        {
            # Honeyflow numbers partitions from 1, Kafka from 0.
            "partitionId": p.id + 1,
            "leader": p.leader,
            "replicas": list(p.replicas),
            "inSync": list(p.isrs),
            "engine": owners.get(p.id),
        }
        for p in sorted(commands.partitions.values(), key=lambda p: p.id)
    ]
    state = str(group.state).rsplit(".", 1)[-1]
    answer = {
        "address": reached.bootstrap,
        "prefix": topic_prefix,
        "brokers": brokers,
        "engineGroup": {
            "state": str(group.state).rsplit(".", 1)[-1],
            "members": len(group.members),
        },
        "partitions": partitions,
    }
    if as_json:
        echo_json(answer)
        return
    console = Console()
    console.print(
        f"Cluster {reached.bootstrap}, prefix {topic_prefix}: {len(brokers)} broker(s),"
        f" {len(partitions)} partition(s), engine group {state}"
        f" with {len(group.members)} engine(s)"
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


def short_member(member_id: str) -> str:
    """`aiokafka-0.14.0-c05f43ba-da69-…` → `c05f43ba`: enough to tell the engines apart in a
    table (`--json` has the whole member id)."""
    parts = member_id.rsplit("-", 5)
    return parts[1] if len(parts) == 6 else member_id
