"""`honeyflow topics create`: create or verify Honeyflow's topics."""

from __future__ import annotations

from pathlib import Path

import click

from broker.errors import BrokerError
from broker.topics import (
    DEFAULT_PARTITIONS,
    DEFAULT_PREFIX,
    TopicSettings,
    cluster_replication_factor,
    ensure_topics,
    existing_response_partitions,
)
from clients.cli.cluster_address import address_option, reach
from clients.cli.kafka_options import kafka_client_options


@click.group()
def topics() -> None:
    """Honeyflow's Kafka topics."""


@topics.command()
@address_option("--bootstrap")
@click.option("--partitions", type=click.IntRange(1), default=DEFAULT_PARTITIONS, show_default=True)
@click.option(
    "--replication-factor",
    type=click.IntRange(1),
    default=None,
    help="Replicas per partition [default: 3, or the number of brokers if fewer].",
)
@click.option(
    "--prefix", default=None, help=f"Topic prefix [default: the address's, or {DEFAULT_PREFIX}]."
)
@click.option(
    "--response-partitions",
    type=click.IntRange(1),
    default=None,
    help="Partitions of the responses topic, at least --partitions: each client reads one"
    " (its reply partition), so more partitions spread more clients"
    " [default: as many as --partitions, or as the existing topic has].",
)
@click.option(
    "--events-retention-ms",
    type=int,
    default=-1,
    show_default=True,
    help="Retention of the audit log (the events topic); -1 keeps it forever.",
)
@click.option(
    "--job-type", "job_types", multiple=True, help="Also create jobs.<TYPE> (repeatable)."
)
@kafka_client_options
def create(
    address: str,
    partitions: int,
    replication_factor: int | None,
    prefix: str | None,
    response_partitions: int | None,
    events_retention_ms: int,
    job_types: tuple[str, ...],
    kafka_config: Path | None,
    overrides: tuple[str, ...],
) -> None:
    """Create the topics that are missing and verify the ones that exist (idempotent).

    Exit code 1 when an existing topic differs from what Honeyflow needs.
    """
    cluster, config = reach(address, kafka_config, overrides)
    try:
        rf = replication_factor or cluster_replication_factor(config)
        settings = TopicSettings(
            prefix=cluster.with_prefix(prefix),
            partitions=partitions,
            replication_factor=rf,
            events_retention_ms=events_retention_ms,
            response_partitions=response_partitions or 0,
        )
        settings = existing_response_partitions(config, settings)
        specs = settings.core_topics() + [settings.job_topic(t) for t in job_types]
        reports = ensure_topics(config, specs)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    for report in reports:
        click.echo(report.describe())
    if any(r.outcome == "mismatch" for r in reports):
        raise click.ClickException(
            "existing topics differ from the requested layout; fix them or choose another --prefix"
        )
