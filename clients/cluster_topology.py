"""The cluster as a client sees it, as zbctl status shows it: the Kafka brokers, the
partitions of the commands topic with their leaders and in-sync replicas, and which engine of
the engine group (`<prefix>engine`) processes each partition now. `honeyflow topology` prints
it; the web console's start page shows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clients.errors import ConnectError

TOPOLOGY_TIMEOUT = 10.0


def read_topology(
    config: Mapping[str, Any], bootstrap: str, prefix: str, timeout: float = TOPOLOGY_TIMEOUT
) -> dict[str, Any]:
    """`{"address", "prefix", "brokers", "engineGroup": {"state", "members"}, "partitions":
    [{"partitionId", "leader", "replicas", "inSync", "engine": {"memberId", "clientId",
    "host"} or None}]}`; ConnectError when Kafka does not answer or has no commands topic."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    admin = AdminClient(dict(config))
    try:
        metadata = admin.list_topics(timeout=timeout)
        [future] = admin.describe_consumer_groups([prefix + "engine"]).values()
        group = future.result(timeout=timeout)
    except KafkaException as error:
        raise ConnectError(f"{bootstrap}: {error.args[0]}") from None
    commands = metadata.topics.get(prefix + "commands")
    if commands is None or not commands.partitions:
        raise ConnectError(
            f"topic {prefix}commands does not exist at {bootstrap}"
            f" (start an engine, or `honeyflow topics create --prefix {prefix}`)"
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
    return {
        "address": bootstrap,
        "prefix": prefix,
        "brokers": [
            {"nodeId": b.id, "host": b.host, "port": b.port}
            for b in sorted(metadata.brokers.values(), key=lambda b: b.id)
        ],
        "engineGroup": {
            "state": str(group.state).rsplit(".", 1)[-1],
            "members": len(group.members),
        },
        "partitions": [
            {
                # Honeyflow numbers partitions from 1, Kafka from 0.
                "partitionId": p.id + 1,
                "leader": p.leader,
                "replicas": list(p.replicas),
                "inSync": list(p.isrs),
                "engine": owners.get(p.id),
            }
            for p in sorted(commands.partitions.values(), key=lambda p: p.id)
        ],
    }


def short_member(member_id: str) -> str:
    """`aiokafka-0.14.0-c05f43ba-da69-…` → `c05f43ba`: enough to tell the engines apart in a
    table (`--json` has the whole member id)."""
    parts = member_id.rsplit("-", 5)
    return parts[1] if len(parts) == 6 else member_id
