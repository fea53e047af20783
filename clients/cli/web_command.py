"""`honeyflow web`: the web page over the query store (docs/visibility.md, "Web page"), and
`honeyflow web users add`, the users of its login (docs/security.md, "The web console's
login")."""

from __future__ import annotations

import ipaddress
import os
import ssl
import sys
from pathlib import Path
from typing import Any

import click

from clients.cli.cluster_address import ADDRESS_ENV, client_url, quiet, reach
from clients.cli.kafka_options import kafka_client_options
from clients.cli.status_commands import store_option

USERS_ENV = "HONEYFLOW_WEB_USERS"


@click.group(invoke_without_command=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (without --users: keep it on loopback).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--users",
    "users_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=USERS_ENV,
    default=None,
    help="Log users in: the file `honeyflow web users add` writes [env: HONEYFLOW_WEB_USERS]."
    " Without it anyone who reaches the port acts with the console's engine credentials.",
)
@click.option(
    "--tls-certificate",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HONEYFLOW_WEB_TLS_CERTIFICATE",
    help="Serve HTTPS with this certificate chain (PEM); needs --tls-key.",
)
@click.option(
    "--tls-key",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HONEYFLOW_WEB_TLS_KEY",
    help="The certificate's private key (PEM, unencrypted).",
)
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
    help="Without --users: who claims and completes tasks from a browser that has not named"
    " itself on the task pages (a name, not a login).",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the batches' progress is kept [default: $XDG_STATE_HOME/honeyflow/web, else"
    " ~/.local/state/honeyflow/web].",
)
@store_option
@click.pass_context
def web(
    ctx: click.Context,
    host: str,
    port: int,
    users_file: Path | None,
    tls_certificate: Path | None,
    tls_key: Path | None,
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
    if ctx.invoked_subcommand is not None:
        return
    from aiohttp import web as aiohttp_web

    from broker.kafka_config import parse_overrides
    from clients.client import Client, connect
    from clients.cluster_topology import read_topology
    from clients.errors import ConnectError
    from clients.web.access import Access
    from clients.web.app import create_app
    from clients.web.assets import WebAssets
    from clients.web.users_file import UsersFileError, load
    from clients.web.web_state import check_user
    from processors.exporter.errors import VisibilityError
    from processors.exporter.schema import check_schema
    from processors.exporter.store import open_store

    if (tls_certificate is None) != (tls_key is None):
        raise click.UsageError("--tls-certificate and --tls-key go together")
    access = None
    if users_file is not None:
        if user:
            raise click.UsageError("--user is for a console without --users: users log in")
        try:
            access = Access(load(users_file))
        except UsersFileError as e:
            raise click.ClickException(str(e)) from e
    else:
        _warn_no_login(host)
    try:
        user = check_user(user)
    except ValueError as e:
        raise click.ClickException(f"--user: {e}") from e
    ssl_context = None
    if tls_certificate is not None and tls_key is not None:
        ssl_context = _tls_context(tls_certificate, tls_key)
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
        access=access,
    )
    scheme = "https" if ssl_context else "http"
    login = f", {len(access.users.by_name)} users log in" if access else ", no login"
    click.echo(f"Honeyflow web page on {scheme}://{host}:{port}/ (store {opened.url}{login})")
    aiohttp_web.run_app(app, host=host, port=port, print=None, ssl_context=ssl_context)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _warn_no_login(host: str) -> None:
    lines = [
        "WARNING: the console has no login (start it with --users FILE, see `honeyflow web"
        " users add`): whoever reaches it cancels instances, resolves incidents and"
        " completes tasks with the engine credentials it was started with.",
    ]
    if not _is_loopback(host):
        lines.append(
            f"WARNING: it listens on {host}, not on loopback: anyone on that network acts as"
            " an operator. Bind it to 127.0.0.1 or give it --users."
        )
    for line in lines:
        click.secho(line, err=True, fg="red", bold=True)


def _tls_context(certificate: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certificate, key)
    except (OSError, ssl.SSLError) as e:
        raise click.ClickException(
            f"cannot use the TLS certificate {certificate} with the key {key}: {e}"
        ) from e
    return context


@web.group()
def users() -> None:
    """The users who log in to the console (`honeyflow web --users FILE`)."""


@users.command("add")
@click.argument("name")
@click.option(
    "--file",
    "users_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=USERS_ENV,
    required=True,
    help="The users file (made if missing, mode 0600) [env: HONEYFLOW_WEB_USERS].",
)
@click.option(
    "--role",
    "roles",
    type=click.Choice(["viewer", "operator", "task-user"]),
    multiple=True,
    required=True,
    help="viewer: reads every page; operator: and takes every console action; task-user: the"
    " task list, its own tasks (repeat for several).",
)
@click.option("--tenant", "tenants", multiple=True, help="A tenant the user sees (repeat).")
@click.option(
    "--group", "groups", multiple=True, help="A group whose tasks a task user gets (repeat)."
)
def add(
    name: str,
    users_file: Path,
    roles: tuple[str, ...],
    tenants: tuple[str, ...],
    groups: tuple[str, ...],
) -> None:
    """Add user NAME (or give it a new password, roles, tenants and groups), asking for its
    password (twice), or reading it from the first line of stdin when that is not a
    terminal. The file keeps only its Argon2 hash. Restart the console to take it in;
    the user's sessions in a running console go on until they expire."""
    from clients.web.users_file import UsersFileError, add_user, check_password

    if sys.stdin.isatty():
        password = click.prompt(
            f"Password for {name}",
            hide_input=True,
            confirmation_prompt=True,
            value_proc=_checked_password,
        )
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        try:
            check_password(password)
        except ValueError as e:
            raise click.ClickException(str(e)) from e
    try:
        add_user(users_file, name, password, roles, tenants, groups)
    except (UsersFileError, ValueError) as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"user {name} ({', '.join(roles)}) saved in {users_file}")


def _checked_password(text: str) -> str:
    from clients.web.users_file import check_password

    try:
        check_password(text)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e
    return text


def default_state_dir() -> Path:
    """A per-user directory for what `honeyflow web` keeps (the batches' progress)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "honeyflow" / "web"
