"""What every client verb (`deploy`, `create instance`, `complete job`, ...) shares: the
cluster options, `--json`, a client that turns every client error into one line, and the
parsers of JSON variables and durations."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from broker.kafka_config import ClientConfig
from clients.cli.cluster_address import ClusterAddress, address_option, reach
from clients.cli.kafka_options import kafka_client_options
from clients.client import Client

F = TypeVar("F", bound=Callable[..., object])

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclasses.dataclass(frozen=True)
class ClusterTarget:
    """The cluster a verb talks to: `--address`, `--prefix`, `--kafka-config` and `-X`."""

    address: str
    prefix: str | None
    kafka_config: Path | None
    overrides: tuple[str, ...]

    def reach(self) -> tuple[ClusterAddress, ClientConfig]:
        """The cluster and its client settings, once it answered (else one ClickException)."""
        return reach(self.address, self.kafka_config, self.overrides)

    @contextmanager
    def client(self) -> Iterator[Client]:
        """A client of the cluster; a client error becomes one ClickException line."""
        from broker.errors import BrokerError
        from broker.kafka_config import parse_overrides
        from clients.client import connect
        from clients.errors import HoneyflowError

        cluster, _ = self.reach()
        try:
            with connect(
                cluster.client_url(self.prefix),
                kafka_config=self.kafka_config or cluster.config_file,
                kafka_options=parse_overrides(self.overrides),
            ) as client:
                yield client
        except (HoneyflowError, BrokerError) as error:
            raise click.ClickException(str(error)) from None


def verb_options(command: F) -> F:
    """`--address`, `--prefix`, `--kafka-config`, `-X` (handed to the verb as one
    `cluster: ClusterTarget`) and `--json` (parameter `as_json`)."""

    @functools.wraps(command)
    def with_cluster(
        *args: Any,
        address: str,
        prefix: str | None,
        kafka_config: Path | None,
        overrides: tuple[str, ...],
        **kwargs: Any,
    ) -> object:
        target = ClusterTarget(address, prefix, kafka_config, overrides)
        return command(*args, cluster=target, **kwargs)

    wrapped: Any = click.option(
        "--json", "as_json", is_flag=True, help="Print the answer as JSON."
    )(with_cluster)
    wrapped = kafka_client_options(wrapped)
    wrapped = click.option(
        "--prefix", default=None, help="Topic prefix [default: the address's, or honeyflow.]."
    )(wrapped)
    return cast(F, address_option()(wrapped))


def done(as_json: bool, value: dict[str, object], line: str) -> None:
    """A verb's answer: `value` as JSON with --json, else the one line."""
    if as_json:
        echo_json(value)
    else:
        click.echo(line)


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
