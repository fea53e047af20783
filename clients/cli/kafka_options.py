"""The Kafka client options every command that talks to Kafka takes: a properties file and
`-X key=value` settings (with `HONEYFLOW_KAFKA_*` variables, see broker/kafka_config.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def kafka_client_options(command: F) -> F:
    """Adds `--kafka-config FILE` (parameter `kafka_config`) and `-X KEY=VALUE` (`overrides`)."""
    command = click.option(
        "-X", "overrides", multiple=True, metavar="KEY=VALUE", help="Kafka client setting."
    )(command)
    return click.option(
        "--kafka-config",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Kafka client properties file (security settings).",
    )(command)
