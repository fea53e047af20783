"""`honeyflow web`: the web page over the query store (docs/visibility.md, "Web page")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from clients.cli.cluster_address import ADDRESS_ENV, client_url, quiet, reach
from clients.cli.kafka_options import kafka_client_options
from clients.cli.status_commands import store_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--address",
    "--engine",
    "address",
    envvar=[ADDRESS_ENV, "HONEYFLOW_URL"],
    default=None,
    metavar="ADDRESS",
    help="The cluster the resolve action talks to: HOST:PORT or kafka://HOST:PORT[?prefix=P]"
    f" [env: {ADDRESS_ENV}]. Without it the page is read-only.",
)
@kafka_client_options
@click.option(
    "--assets",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The npm node_modules folder holding bpmn-js and form-js [default: web/node_modules].",
)
@click.option(
    "--user",
    default="",
    metavar="NAME",
    help="Who claims and completes tasks from a browser that has not named itself on the"
    " task pages (a name, not a login: that comes with the security work).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the batches' progress is kept [default: $XDG_STATE_HOME/honeyflow/web, else"
    " ~/.local/state/honeyflow/web].",
)
@store_option
def web(
    host: str,
    port: int,
    address: str | None,
    kafka_config: Path | None,
    overrides: tuple[str, ...],
    assets: Path | None,
    user: str,
    state_dir: Path | None,
    store: str | None,
) -> None:
    """Serve the web page: processes with their counts, diagrams with per-element badges,
    instances with the path they took, incidents with a resolve action, and the task list
    where people claim and complete user tasks."""
    from aiohttp import web as aiohttp_web

    from broker.kafka_config import parse_overrides
    from clients.client import Client, connect
    from clients.cluster_topology import read_topology
    from clients.errors import ConnectError
    from clients.web.app import create_app
    from clients.web.assets import WebAssets
    from clients.web.web_state import check_user
    from processors.exporter.errors import VisibilityError
    from processors.exporter.schema import check_schema
    from processors.exporter.store import open_store

    try:
        user = check_user(user)
    except ValueError as e:
        raise click.ClickException(f"--user: {e}") from e
    try:
        opened = open_store(store, create=False)
        check_schema(opened)
    except VisibilityError as e:
        raise click.ClickException(str(e)) from e
    options = parse_overrides(overrides)
    engine = None if address is None else client_url(address)

    def client() -> Client:
        assert engine is not None
        return connect(engine, kafka_config=kafka_config, kafka_options=options)

    reached: list[tuple[str, str, dict[str, Any]]] = []

    def topology() -> dict[str, Any]:
        """Asks the cluster the first time the start page is shown, not at start."""
        assert address is not None
        if not reached:
            try:
                cluster, config = reach(address, kafka_config, overrides)
            except click.ClickException as e:
                raise ConnectError(e.message) from None
            reached.append((cluster.bootstrap, cluster.with_prefix(None), quiet(config)))
        bootstrap, prefix, config = reached[0]
        return read_topology(config, bootstrap, prefix)

    found = WebAssets.find(assets)
    if found.missing:
        click.echo(f"warning: {found.missing_message}", err=True)
    app = create_app(
        opened,
        client_factory=client if engine else None,
        engine_url=engine,
        assets=found,
        default_user=user,
        topology=topology if address and engine and engine.startswith("kafka://") else None,
        state_dir=state_dir or default_state_dir(),
    )
    click.echo(f"Honeyflow web page on http://{host}:{port}/ (store {opened.url})")
    aiohttp_web.run_app(app, host=host, port=port, print=None)


def default_state_dir() -> Path:
    """A per-user directory for what `honeyflow web` keeps (the batches' progress)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "honeyflow" / "web"
