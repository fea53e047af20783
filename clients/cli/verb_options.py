"""What every client verb (`deploy`, `create instance`, `complete job`, ...) shares: the
cluster options, `--json`, a client that turns every client error into one line, and the
parsers of JSON variables and durations."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from clients.cli.cluster_address import address_option, reach
from clients.cli.kafka_options import kafka_client_options
from clients.client import Client

F = TypeVar("F", bound=Callable[..., object])

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def verb_options(command: F) -> F:
    """`--address`, `--prefix`, `--kafka-config`, `-X` and `--json` (parameter `as_json`)."""
    command = click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")(
        command
    )
    command = kafka_client_options(command)
    command = click.option(
        "--prefix", default=None, help="Topic prefix [default: the address's, or honeyflow.]."
    )(command)
    return address_option()(command)


@contextmanager
def cluster_client(
    address: str, prefix: str | None, kafka_config: Path | None, overrides: tuple[str, ...]
) -> Iterator[Client]:
    """A client of the cluster at `address`; a client error becomes one ClickException line."""
    from broker.errors import BrokerError
    from broker.kafka_config import parse_overrides
    from clients.client import connect
    from clients.errors import HoneyflowError

    cluster, _ = reach(address, kafka_config, overrides)
    try:
        with connect(
            cluster.client_url(prefix),
            kafka_config=kafka_config or cluster.config_file,
            kafka_options=parse_overrides(overrides),
        ) as client:
            yield client
    except (HoneyflowError, BrokerError) as error:
        raise click.ClickException(str(error)) from None


def variables_of(text: str | None, option: str = "--variables") -> dict[str, Any] | None:
    """A JSON object, or None when the option was not given."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{option} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise click.ClickException(
            f"{option} must be a JSON object such as '{{\"a\": 1}}', not {text!r}"
        )
    return value


class Duration(click.ParamType):
    """Seconds: `30`, `1.5`, or with a unit: `500ms`, `30s`, `5m`, `1h`."""

    name = "DURATION"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        match = _DURATION.match(str(value).strip())
        if not match:
            self.fail(f"expected seconds or a duration such as 500ms, 30s or 5m, not {value!r}")
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]


DURATION = Duration()


def echo_json(value: Any) -> None:
    """JSON for scripts, field names in camelCase as zbctl and the other `--json` outputs
    print them (`processInstanceKey`); keys are numbers. Dataclasses (the client's results)
    are converted; variables inside them keep the names they have."""
    click.echo(json.dumps(_camel(value), indent=2))


def _camel(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _camel_name(f.name): _camel(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [_camel(v) for v in value]
    return value


def _camel_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
