"""What `kafka://host:port[,host:port]?prefix=P&config=FILE` names: the bootstrap servers,
the topic prefix and the Kafka client settings (from `broker.kafka_config`: the properties
file, `HONEYFLOW_KAFKA_*` environment variables, then explicit overrides — later wins)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from broker.command_signing import SIGNING_KEY_SETTING
from broker.errors import BrokerError, TopicError
from broker.kafka_config import ClientConfig, client_config, honeyflow_settings
from broker.topics import DEFAULT_PREFIX, TopicSettings
from clients.errors import ConnectError

_OPTIONS = frozenset({"prefix", "config"})


@dataclass(frozen=True)
class KafkaAddress:
    bootstrap: str
    prefix: str
    config: ClientConfig
    """librdkafka settings shared by every producer, consumer and admin client."""
    signing_key: Path | None = None
    """The private key that signs this client's commands (`honeyflow.signing.key.location`
    in its credentials file), its certificate beside it; None: commands go unsigned."""

    def topics(self, partitions: int) -> TopicSettings:
        return TopicSettings(prefix=self.prefix, partitions=partitions)


def parse_kafka_url(
    url: str,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> KafkaAddress:
    """The address in `url`; `config_file` wins over a `config=` option in the URL."""
    parts = urlsplit(url)
    if parts.scheme != "kafka":
        raise ConnectError(f"expected a kafka:// URL, got {url!r}")
    # netloc, not hostname/port: a bootstrap list has several host:port pairs.
    bootstrap = parts.netloc
    if not bootstrap:
        raise ConnectError(f"{url!r} names no bootstrap server (kafka://host:port)")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise ConnectError(
            f"unknown option {unknown[0]!r} in {url!r} (known: {', '.join(sorted(_OPTIONS))})"
        )
    prefix = options.get("prefix", DEFAULT_PREFIX)
    try:
        TopicSettings(prefix=prefix)
    except TopicError as error:
        raise ConnectError(str(error)) from None
    if config_file is None and options.get("config"):
        config_file = Path(options["config"])
    try:
        config = client_config(
            bootstrap, config_file=config_file, overrides=overrides, environ=environ
        )
        own = honeyflow_settings(config_file=config_file, overrides=overrides, environ=environ)
    except BrokerError as error:
        raise ConnectError(str(error)) from None
    key = own.get(SIGNING_KEY_SETTING)
    return KafkaAddress(
        bootstrap=bootstrap, prefix=prefix, config=config, signing_key=Path(key) if key else None
    )
