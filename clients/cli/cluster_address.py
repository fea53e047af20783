"""One way to name the cluster on every command: `--address` (or `HONEYFLOW_ADDRESS`), a
Kafka bootstrap `host:port[,host:port]` or `kafka://host:port[?prefix=P&config=FILE]`; and a
short reachability probe, so an unreachable cluster is one line naming the address instead
of librdkafka's connection log and a long wait."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import click

from broker.kafka_config import ClientConfig
from broker.topics import DEFAULT_PREFIX

ADDRESS_ENV = "HONEYFLOW_ADDRESS"
PROBE_TIMEOUT = 5.0
"""Seconds a command waits for the cluster's metadata before it gives up."""

F = TypeVar("F", bound=Callable[..., object])

_HELP = (
    f"The cluster: Kafka bootstrap HOST:PORT[,...] or kafka://HOST:PORT[?prefix=P] "
    f"[env: {ADDRESS_ENV}]."
)


@dataclass(frozen=True)
class ClusterAddress:
    bootstrap: str
    prefix: str | None
    """The topic prefix the address names (`?prefix=`), None when it names none."""
    config_file: Path | None

    def with_prefix(self, prefix: str | None) -> str:
        """The prefix to use: `prefix` (an option) or the address's, which must not differ."""
        if prefix is not None and self.prefix is not None and prefix != self.prefix:
            raise click.ClickException(
                f"--prefix {prefix} differs from the address's prefix {self.prefix}"
            )
        return prefix or self.prefix or DEFAULT_PREFIX

    def client_url(self, prefix: str | None) -> str:
        return f"kafka://{self.bootstrap}?prefix={quote(self.with_prefix(prefix), safe='')}"


def parse_address(text: str) -> ClusterAddress:
    """`host:port[,...]` or `kafka://host:port[,...][?prefix=P&config=FILE]`."""
    text = text.strip()
    if not text:
        raise click.ClickException("the address is empty: give --address HOST:PORT")
    if "://" not in text:
        return ClusterAddress(bootstrap=text, prefix=None, config_file=None)
    parts = urlsplit(text)
    if parts.scheme == "memory":
        raise click.ClickException(
            "memory:// is an engine inside one process, not a cluster other processes reach:"
            " give a Kafka address, HOST:PORT or kafka://HOST:PORT"
        )
    if parts.scheme != "kafka":
        raise click.ClickException(
            f"unsupported address {text!r}: give HOST:PORT or kafka://HOST:PORT[?prefix=P]"
        )
    if not parts.netloc:
        raise click.ClickException(f"{text!r} names no bootstrap server (kafka://HOST:PORT)")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - {"prefix", "config"})
    if unknown:
        raise click.ClickException(
            f"unknown option {unknown[0]!r} in {text!r} (known: config, prefix)"
        )
    config = options.get("config")
    return ClusterAddress(
        bootstrap=parts.netloc,
        prefix=options.get("prefix") or None,
        config_file=Path(config) if config else None,
    )


def address_option(
    *aliases: str, envvars: tuple[str, ...] = (), required: bool = True
) -> Callable[[F], F]:
    """`--address` (parameter `address`), with older spellings kept working as `aliases` and
    older environment variables after `HONEYFLOW_ADDRESS`."""
    return click.option(
        "--address",
        *aliases,
        "address",
        envvar=[ADDRESS_ENV, *envvars],
        required=required,
        metavar="ADDRESS",
        help=_HELP,
    )


def quiet(config: ClientConfig) -> dict[str, Any]:
    """`config` for an admin client whose librdkafka log goes nowhere: its connection errors
    are reported by the command as one line, and a closing client's notices are noise."""
    return {**dict(config), "log_level": 0, "logger": _SILENT}


_SILENT = logging.getLogger("honeyflow.cli.librdkafka")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False
_SILENT.setLevel(logging.CRITICAL + 1)


def probe(config: ClientConfig, bootstrap: str, timeout: float = PROBE_TIMEOUT) -> None:
    """Raise a one-line ClickException unless the cluster answers a metadata request within
    `timeout` seconds. librdkafka's log is silenced for the probe (log_level 0)."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient

    seen: list[KafkaError] = []
    settings: dict[str, Any] = {**quiet(config), "error_cb": seen.append}
    admin = AdminClient(settings)
    try:
        admin.list_topics(timeout=timeout)
    except KafkaException as error:
        reason = error.args[0].str() if error.args and hasattr(error.args[0], "str") else error
        admin.poll(0)  # serves error_cb with what the connections met
        refused = [e for e in seen if e.code() == KafkaError._AUTHENTICATION]
        if refused:
            user = config.get("sasl.username")
            raise click.ClickException(
                f"Kafka at {bootstrap} refused the credentials"
                + (f" of user {user}" if user else "")
                + f" ({refused[-1].str()})"
            ) from None
        hint = ""
        if "security.protocol" not in config and _accepts_connections(bootstrap):
            # A plaintext client at a TLS listener is only ever told "transport failure".
            hint = (
                "; it accepts connections but not as plaintext Kafka: a secure cluster needs"
                " credentials, --kafka-config FILE (docs/security.md)"
            )
        raise click.ClickException(
            f"cannot reach Kafka at {bootstrap} within {timeout:g} s ({reason}){hint}"
        ) from None


def _accepts_connections(bootstrap: str) -> bool:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=1):
            return True
    except (OSError, ValueError):
        return False


def reach(
    text: str, kafka_config: Path | None, overrides: tuple[str, ...]
) -> tuple[ClusterAddress, ClientConfig]:
    """The address in `text`, its Kafka client settings (`--kafka-config` wins over the
    address's `config=`), checked to answer; every failure one ClickException line."""
    from broker.errors import BrokerError
    from broker.kafka_config import client_config, parse_overrides

    address = parse_address(text)
    try:
        config = client_config(
            address.bootstrap,
            config_file=kafka_config or address.config_file,
            overrides=parse_overrides(overrides),
        )
    except BrokerError as error:
        raise click.ClickException(str(error)) from None
    probe(config, address.bootstrap)
    return address, config


def client_url(text: str) -> str:
    """The client URL for an address: HOST:PORT becomes kafka://HOST:PORT; URLs stay (the
    web page and `incident resolve` also take memory:// in tests)."""
    text = text.strip()
    return text if "://" in text else f"kafka://{text}"
