"""librdkafka-style client settings (broker/kafka_config.py) as aiokafka keyword arguments.

Security comes from configuration: every aiokafka client the engine creates gets the same
options. A key aiokafka cannot honour is an error, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiokafka.helpers import create_ssl_context

from broker.errors import BrokerError

_DIRECT = {
    "bootstrap.servers": "bootstrap_servers",
    "client.id": "client_id",
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.mechanisms": "sasl_mechanism",
    "sasl.username": "sasl_plain_username",
    "sasl.password": "sasl_plain_password",
    "sasl.kerberos.service.name": "sasl_kerberos_service_name",
    "sasl.kerberos.domain.name": "sasl_kerberos_domain_name",
}
_SSL = {
    "ssl.ca.location": "cafile",  # or "capath" when it names a directory (as librdkafka)
    "ssl.ca.pem": "cadata",
    "ssl.certificate.location": "certfile",
    "ssl.key.location": "keyfile",
    "ssl.key.password": "password",
}
# Settings with no aiokafka counterpart that are safe to leave to aiokafka's defaults.
_IGNORED = {"ssl.endpoint.identification.algorithm"}


def aiokafka_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaProducer/AIOKafkaConsumer from `config`."""
    options: dict[str, Any] = {}
    ssl: dict[str, str] = {}
    unknown = []
    for key, value in config.items():
        if key in _DIRECT:
            options[_DIRECT[key]] = str(value)
        elif key == "ssl.ca.location" and Path(str(value)).is_dir():
            ssl["capath"] = str(value)
        elif key in _SSL:
            ssl[_SSL[key]] = str(value)
        elif key not in _IGNORED:
            unknown.append(key)
    if unknown:
        raise BrokerError(
            "Kafka settings the engine's client (aiokafka) does not support: "
            + ", ".join(sorted(unknown))
        )
    if "sasl_mechanism" in options:
        options["sasl_mechanism"] = options["sasl_mechanism"].upper()
    protocol = options.get("security_protocol", "PLAINTEXT").upper()
    options["security_protocol"] = protocol
    if ssl or protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(**ssl)
        if config.get("ssl.endpoint.identification.algorithm", "https") == "none":
            options["ssl_context"].check_hostname = False
    return options
