"""`kafka://` URLs: bootstrap servers, topic prefix and client settings from configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from clients.errors import ConnectError
from clients.kafka_address import parse_kafka_url


def test_bootstrap_list_and_default_prefix() -> None:
    address = parse_kafka_url("kafka://a:9092,b:9093", environ={})
    assert address.bootstrap == "a:9092,b:9093"
    assert address.prefix == "honeyflow."
    assert address.config == {"bootstrap.servers": "a:9092,b:9093"}


def test_settings_file_then_environment_then_options(tmp_path: Path) -> None:
    properties = tmp_path / "client.properties"
    properties.write_text("security.protocol=SSL\nsasl.mechanism=PLAIN\nclient.id=file\n")
    address = parse_kafka_url(
        f"kafka://h:1?prefix=acme.&config={properties}",
        environ={
            "HONEYFLOW_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "HONEYFLOW_KAFKA_CLIENT_ID": "env",
        },
        overrides={"client.id": "option"},
    )
    assert address.prefix == "acme."
    assert address.config["security.protocol"] == "SSL"
    assert address.config["sasl.mechanism"] == "SCRAM-SHA-512"
    assert address.config["client.id"] == "option"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("memory://", "expected a kafka:// URL"),
        ("kafka://", "names no bootstrap server"),
        ("kafka://h:1?partitions=3", "unknown option 'partitions'"),
        ("kafka://h:1?prefix=bad/name", "characters Kafka does not allow"),
        ("kafka://h:1?config=/nonexistent.properties", "cannot read Kafka client config"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ConnectError, match=message):
        parse_kafka_url(url, environ={})
