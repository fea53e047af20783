"""`honeyflow engine`: run one engine processor on Kafka. Several processors with the same
`--prefix` share the partitions (a consumer group); stop one with SIGTERM or Ctrl-C and the
others take its partitions over (docs/kafka-runtime.md)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from broker.errors import BrokerError
from broker.protocol import DEFAULT_MAX_RECORD_BYTES
from broker.topics import (
    DEFAULT_PARTITIONS,
    DEFAULT_PREFIX,
    TopicSettings,
    cluster_replication_factor,
)
from clients.cli.cluster_address import address_option, reach
from clients.cli.kafka_options import kafka_client_options

if TYPE_CHECKING:
    from processors.kafka.runtime import EngineRuntime


@click.command()
@address_option("--bootstrap")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("honeyflow-data"),
    show_default=True,
    help="Where the partitions' RocksDB state lives (a cache: it is rebuilt from Kafka).",
)
@click.option("--partitions", type=click.IntRange(1), default=DEFAULT_PARTITIONS, show_default=True)
@click.option(
    "--replication-factor",
    type=click.IntRange(1),
    default=None,
    help="Replicas per partition of the topics it creates [default: as `honeyflow topics"
    " create`: 3, or the number of brokers if fewer].",
)
@click.option(
    "--prefix", default=None, help=f"Topic prefix [default: the address's, or {DEFAULT_PREFIX}]."
)
@click.option(
    "--session-timeout-ms",
    type=click.IntRange(1000),
    default=6000,
    show_default=True,
    help="Silence after which the group gives a processor's partitions to the others.",
)
@click.option(
    "--max-record-bytes",
    type=click.IntRange(1024),
    default=DEFAULT_MAX_RECORD_BYTES,
    show_default=True,
    help="Larger commands go to the dead-letter topic unprocessed.",
)
@kafka_client_options
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus metrics on this port (/metrics); off by default.",
)
@click.option(
    "--admin-public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    envvar="HONEYFLOW_ADMIN_PUBLIC_KEY",
    default=None,
    help="The admin's public key (DIR/credentials/admin.pub of `kafka up --secure`): every"
    " command must then be signed by a principal the admin certified, and is refused when its"
    " role does not allow it (docs/security.md). Off by default.",
)
@click.option(
    "--revoked-keys",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    envvar="HONEYFLOW_REVOKED_KEYS",
    default=None,
    help="Public keys whose certificates are no longer honoured, one a line"
    " (DIR/credentials/revoked-keys, written by `kafka user revoke`); with --admin-public-key.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every partition hand-over.")
def engine(
    address: str,
    data_dir: Path,
    partitions: int,
    replication_factor: int | None,
    prefix: str | None,
    session_timeout_ms: int,
    max_record_bytes: int,
    kafka_config: Path | None,
    metrics_port: int | None,
    overrides: tuple[str, ...],
    admin_public_key: Path | None,
    revoked_keys: Path | None,
    verbose: bool,
) -> None:
    """Run an engine processor until SIGTERM or Ctrl-C."""
    # Imported here: the other commands must not pay for aiokafka and RocksDB.
    from processors.kafka.runtime import EngineRuntime, EngineSettings

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if revoked_keys is not None and admin_public_key is None:
        raise click.UsageError("--revoked-keys goes with --admin-public-key")
    cluster, config = reach(address, kafka_config, overrides)
    try:
        signing_key = _signing_key(kafka_config or cluster.config_file, overrides)
        if replication_factor is None:
            replication_factor = cluster_replication_factor(config)
        settings = EngineSettings(
            client_config=config,
            topics=TopicSettings(
                prefix=cluster.with_prefix(prefix),
                partitions=partitions,
                replication_factor=replication_factor,
            ),
            data_dir=data_dir,
            session_timeout_ms=session_timeout_ms,
            max_record_bytes=max_record_bytes,
            admin_public_key=admin_public_key,
            revoked_keys=revoked_keys,
            signing_key=signing_key,
        )
        metrics = None
        if metrics_port is not None:
            from processors.metrics import ProcessorMetrics, start_metrics_server

            metrics = ProcessorMetrics()
        runtime = EngineRuntime(settings, metrics)
    except BrokerError as e:
        raise click.ClickException(str(e)) from e
    if metrics_port is not None:
        start_metrics_server(metrics_port)
    try:
        asyncio.run(_serve(runtime))
    except BrokerError as e:  # topics that cannot be created or differ: one line, no traceback
        raise click.ClickException(str(e)) from e


def _signing_key(config_file: Path | None, overrides: tuple[str, ...]) -> Path | None:
    """The engine's own signing key, from its Kafka settings (`honeyflow.signing.key.location`
    in its credentials file)."""
    from broker.command_signing import SIGNING_KEY_SETTING
    from broker.kafka_config import honeyflow_settings, parse_overrides

    own = honeyflow_settings(config_file=config_file, overrides=parse_overrides(overrides))
    location = own.get(SIGNING_KEY_SETTING)
    return Path(location) if location else None


async def _serve(runtime: EngineRuntime) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await runtime.run(stop)
