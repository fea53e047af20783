"""`honeyflow gateway`: Zeebe's gRPC gateway protocol in front of the engine on Kafka, until
SIGTERM or Ctrl-C (docs/gateway.md)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import click

from broker.kafka_config import parse_overrides
from clients.cli.cluster_address import address_option, reach
from clients.cli.kafka_options import kafka_client_options


@click.group(invoke_without_command=True)
@address_option("--bootstrap", required=False)
@click.option(
    "--prefix", default=None, help="Topic prefix [default: the address's, or honeyflow.]."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=26500,
    show_default=True,
    help="gRPC port (Zeebe's gateway port; 0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (without --tls-certificate: keep it on loopback).",
)
@click.option(
    "--tls-certificate",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HONEYFLOW_GATEWAY_TLS_CERTIFICATE",
    help="Serve TLS with this certificate chain (PEM); needs --tls-key.",
)
@click.option(
    "--tls-key",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HONEYFLOW_GATEWAY_TLS_KEY",
    help="The certificate's private key (PEM, unencrypted).",
)
@click.option(
    "--clients",
    "clients_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HONEYFLOW_GATEWAY_CLIENTS",
    help="Authenticate clients: the file `honeyflow gateway clients add` writes (needs TLS).",
)
@click.option(
    "--token-port",
    type=click.IntRange(0, 65535),
    default=26580,
    show_default=True,
    help="With --clients: the HTTPS port of the token endpoint (/oauth/token; 0: a free one).",
)
@kafka_client_options
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def gateway(
    ctx: click.Context,
    address: str | None,
    prefix: str | None,
    port: int,
    host: str,
    tls_certificate: Path | None,
    tls_key: Path | None,
    clients_file: Path | None,
    token_port: int,
    kafka_config: Path | None,
    overrides: tuple[str, ...],
    verbose: bool,
) -> None:
    """Serve Zeebe's gateway protocol (gRPC) so that Camunda 8 clients and workers (pyzeebe,
    zbctl, the Java, Go and Node clients) work against Honeyflow unchanged."""
    if ctx.invoked_subcommand is not None:
        return
    if address is None:
        raise click.UsageError("Missing option '--address'.")
    # Imported here: the other commands must not pay for gRPC.
    from clients.errors import HoneyflowError
    from clients.gateway.clients_file import ClientsFileError, load
    from clients.gateway.server import (
        Authentication,
        TlsFiles,
        settle_garbage_collector,
        start_gateway,
    )
    from clients.kafka_address import parse_kafka_url
    from clients.kafka_transport import KafkaTransport

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if (tls_certificate is None) != (tls_key is None):
        raise click.UsageError("--tls-certificate and --tls-key go together")
    tls = None if tls_certificate is None or tls_key is None else TlsFiles(tls_certificate, tls_key)
    authentication = None
    if clients_file is not None:
        if tls is None:
            raise click.UsageError("--clients needs TLS: give --tls-certificate and --tls-key")
        try:
            authentication = Authentication(load(clients_file), token_port)
        except ClientsFileError as e:
            raise click.ClickException(str(e)) from e
    cluster, _config = reach(address, kafka_config, overrides)
    try:
        transport = KafkaTransport(
            parse_kafka_url(
                cluster.client_url(prefix),
                config_file=kafka_config or cluster.config_file,
                overrides=parse_overrides(overrides),
            )
        )
    except HoneyflowError as e:
        raise click.ClickException(str(e)) from e

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            server = await start_gateway(transport, host, port, tls, authentication)
        except OSError as e:
            raise click.ClickException(str(e)) from e
        settle_garbage_collector()
        click.echo(f"gateway listening on {host}:{server.port}", err=False)
        if server.token_url is not None:
            click.echo(f"token endpoint {server.token_url}", err=False)
        try:
            await stop.wait()
        finally:
            await server.stop()

    try:
        asyncio.run(run())
    finally:
        transport.close()


@gateway.group()
def clients() -> None:
    """The clients the gateway authenticates (--clients FILE)."""


@clients.command("add")
@click.argument("client_id", metavar="ID")
@click.option(
    "--file",
    "clients_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HONEYFLOW_GATEWAY_CLIENTS",
    required=True,
    help="The clients file (made if missing, mode 0600).",
)
@click.option(
    "--role",
    type=click.Choice(["operator", "worker", "viewer"]),
    required=True,
    help="operator: every call; worker: its job types' jobs; viewer: Topology.",
)
@click.option("--job-type", "job_types", multiple=True, help="A worker's job type (repeat).")
@click.option(
    "--tenant",
    "tenants",
    multiple=True,
    help="A tenant the client may act in (repeat for several) [default: <default>].",
)
def add(
    client_id: str,
    clients_file: Path,
    role: str,
    job_types: tuple[str, ...],
    tenants: tuple[str, ...],
) -> None:
    """Add client ID (or give it a new secret and role) and print its secret, once: the file
    keeps only its Argon2 hash. Restart the gateways that read the file."""
    from clients.gateway.clients_file import ClientsFileError, add_client

    try:
        secret = add_client(clients_file, client_id, role, job_types, tenants)
    except (ClientsFileError, ValueError) as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"ZEEBE_CLIENT_ID={client_id}")
    click.echo(f"ZEEBE_CLIENT_SECRET={secret}")
