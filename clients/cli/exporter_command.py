"""`honeyflow exporter`: project the audit log into the query store until SIGTERM or Ctrl-C
(docs/visibility.md). One exporter per store; it resumes from the positions kept there."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from broker.errors import BrokerError
from broker.topics import DEFAULT_PREFIX, TopicSettings
from clients.cli.cluster_address import address_option, reach
from clients.cli.kafka_options import kafka_client_options


@click.command()
@address_option("--bootstrap")
@click.option(
    "--store",
    envvar="HONEYFLOW_STORE",
    default=None,
    help="Query store: postgresql://… or a SQLite file [default: honeyflow-visibility.db].",
)
@click.option(
    "--prefix", default=None, help=f"Topic prefix [default: the address's, or {DEFAULT_PREFIX}]."
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus metrics on this port (/metrics).",
)
@click.option(
    "--batch",
    type=click.IntRange(1),
    default=5000,
    show_default=True,
    help="Most records written in one store transaction.",
)
@kafka_client_options
@click.option("-v", "--verbose", is_flag=True, help="Log each batch written.")
def exporter(
    address: str,
    store: str | None,
    prefix: str | None,
    metrics_port: int | None,
    batch: int,
    kafka_config: Path | None,
    overrides: tuple[str, ...],
    verbose: bool,
) -> None:
    """Export the audit log (<prefix>events) into the query store until SIGTERM or Ctrl-C."""
    # Imported here: the other commands must not pay for Kafka and Prometheus.
    from processors.exporter.errors import VisibilityError
    from processors.exporter.exporter import Exporter, ExporterSettings
    from processors.exporter.store import open_store
    from processors.exporter.store_metrics import StoreCollector
    from processors.metrics import ExporterMetrics, start_metrics_server

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    cluster, config = reach(address, kafka_config, overrides)
    try:
        settings = ExporterSettings(
            client_config=config,
            topic=TopicSettings(prefix=cluster.with_prefix(prefix)).events,
            store_url=store,
            max_batch=batch,
        )
        metrics = ExporterMetrics() if metrics_port is not None else None
        runner = Exporter(settings, metrics)
    except (BrokerError, VisibilityError) as e:
        raise click.ClickException(str(e)) from e
    if metrics_port is not None:
        from prometheus_client import REGISTRY

        REGISTRY.register(StoreCollector(lambda: open_store(store)))
        start_metrics_server(metrics_port)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log = logging.getLogger("honeyflow.exporter")
    try:
        runner.run(stop, on_batch=lambda n: log.debug("applied %d records", n))
    except VisibilityError as e:
        raise click.ClickException(str(e)) from e
    finally:
        runner.close()
