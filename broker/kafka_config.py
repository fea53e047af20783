"""Kafka client settings from configuration, never from code.

Every Honeyflow component that talks to Kafka builds its client settings here: the bootstrap
servers, then a properties file (`--kafka-config FILE`, `key=value` lines as Kafka's own
`client.properties`, read as Java reads it), then `HONEYFLOW_KAFKA_*` environment variables
(`HONEYFLOW_KAFKA_SASL_MECHANISM=SCRAM-SHA-512` → `sasl.mechanism`), then `-X key=value`
options — later sources win. Keys use librdkafka's names (security.protocol, sasl.*, ssl.*),
which are also Kafka's for everything security needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import javaproperties

from broker.errors import BrokerError

ENV_PREFIX = "HONEYFLOW_KAFKA_"
# Honeyflow's own settings in the same namespace, which are not client settings: the local
# launcher's JVM heap and the test suite's opt-in for engine scenarios on Kafka. Taken as
# client settings they would name unknown keys ("heap", "scenarios") and stop every client.
NOT_CLIENT_SETTINGS = frozenset({"HONEYFLOW_KAFKA_HEAP", "HONEYFLOW_KAFKA_SCENARIOS"})
# The value types librdkafka (confluent-kafka) accepts for a setting.
ClientConfig = dict[str, str | int | float | bool]


def read_properties(path: Path) -> dict[str, str]:
    """Read a properties file as Java reads it (javaproperties): `key=value`, `key: value` or
    `key value`, `#`/`!` comments, `\\` line continuations, `\\uXXXX` and other escapes. A line
    with a key alone gives the key an empty value, as in Java."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise BrokerError(f"cannot read Kafka client config {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise BrokerError(f"cannot read Kafka client config {path}: not UTF-8 ({e.reason})") from e
    try:
        return dict(javaproperties.loads(text))
    except javaproperties.InvalidUEscapeError as e:
        raise BrokerError(f"{path}: invalid escape {e.escape!r} in Kafka client config") from e


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {
        name[len(ENV_PREFIX) :].lower().replace("_", "."): value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX)
        and len(name) > len(ENV_PREFIX)
        and name not in NOT_CLIENT_SETTINGS
    }


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BrokerError(f"expected -X key=value, got {pair!r}")
        result[key.strip()] = value.strip()
    return result


HONEYFLOW_SETTINGS_PREFIX = "honeyflow."
"""Keys of Honeyflow's own settings in a client configuration (`honeyflow.signing.key.location`
in a credentials file): taken out before the rest goes to librdkafka or aiokafka, which would
refuse them as unknown."""


def _merged(
    config_file: Path | None, overrides: Mapping[str, str] | None, environ: Mapping[str, str] | None
) -> dict[str, str]:
    config: dict[str, str] = {}
    if config_file is not None:
        config.update(read_properties(config_file))
    config.update(from_environment(environ))
    config.update(overrides or {})
    return config


def client_config(
    bootstrap: str,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ClientConfig:
    """librdkafka-style settings (confluent-kafka takes them as they are), without
    Honeyflow's own (`honeyflow_settings`)."""
    config: ClientConfig = {"bootstrap.servers": bootstrap}
    for key, value in _merged(config_file, overrides, environ).items():
        if not key.startswith(HONEYFLOW_SETTINGS_PREFIX):
            config[key] = value
    return config


def honeyflow_settings(
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Honeyflow's own settings from the same sources as `client_config`, which leaves them
    out (`honeyflow.signing.key.location`: the key that signs this client's commands)."""
    return {
        key: value
        for key, value in _merged(config_file, overrides, environ).items()
        if key.startswith(HONEYFLOW_SETTINGS_PREFIX)
    }
