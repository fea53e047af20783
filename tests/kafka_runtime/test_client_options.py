"""The engine's Kafka security settings: librdkafka-style keys (what `--kafka-config`,
`HONEYFLOW_KAFKA_*` and `-X` give) mapped to aiokafka's keyword arguments, TLS material
loaded into an SSL context, and keys aiokafka cannot honour refused by name."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from broker.errors import BrokerError
from broker.kafka_config import client_config
from processors.kafka.client_options import aiokafka_options


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A self-signed CA certificate and a client certificate with an encrypted key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make test certificates")
    directory = tmp_path_factory.mktemp("tls")
    ca_key, ca = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "client.key", directory / "client.csr", directory / "client.pem"

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ca",
        "-keyout", str(ca_key), "-out", str(ca))  # fmt: skip
    run("genpkey", "-algorithm", "RSA", "-aes-128-cbc", "-pass", "pass:secret", "-out", str(key))
    run("req", "-new", "-key", str(key), "-passin", "pass:secret", "-subj", "/CN=engine",
        "-out", str(csr))  # fmt: skip
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-days", "1",
        "-out", str(cert))  # fmt: skip
    capath = directory / "cas"
    capath.mkdir()
    shutil.copy(ca, capath / "ca.pem")
    return {"ca": ca, "key": key, "cert": cert, "capath": capath}


def test_plaintext_needs_nothing_but_the_bootstrap_servers() -> None:
    options = aiokafka_options(client_config("h1:9092,h2:9092", environ={}))
    assert options == {"bootstrap_servers": "h1:9092,h2:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_scram_over_tls_from_a_properties_file_and_the_environment(
    tmp_path: Path, tls: dict[str, Path]
) -> None:
    properties = tmp_path / "client.properties"
    properties.write_text(
        "security.protocol=sasl_ssl\n"
        "sasl.mechanisms=scram-sha-512\n"
        "sasl.username=engine\n"
        f"ssl.ca.location={tls['ca']}\n"
    )
    config = client_config(
        "broker:9093",
        config_file=properties,
        environ={"HONEYFLOW_KAFKA_SASL_PASSWORD": "s3cret", "HONEYFLOW_KAFKA_HEAP": "-Xmx1g"},
        overrides={"client.id": "engine-1"},
    )
    options = aiokafka_options(config)
    context = options.pop("ssl_context")
    assert options == {
        "bootstrap_servers": "broker:9093",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "engine",
        "sasl_plain_password": "s3cret",
        "client_id": "engine-1",
    }
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "ca"),),)]


def test_mutual_tls_with_an_encrypted_key_and_no_hostname_check(tls: dict[str, Path]) -> None:
    options = aiokafka_options(
        {
            "bootstrap.servers": "broker:9093",
            "security.protocol": "SSL",
            "ssl.ca.location": str(tls["capath"]),  # a directory of CA certificates
            "ssl.certificate.location": str(tls["cert"]),
            "ssl.key.location": str(tls["key"]),
            "ssl.key.password": "secret",
            "ssl.endpoint.identification.algorithm": "none",
        }
    )
    assert options["security_protocol"] == "SSL"
    context = options["ssl_context"]
    assert context.verify_mode is ssl.CERT_REQUIRED and not context.check_hostname


def test_a_wrong_key_password_fails_at_startup_not_at_the_first_connection(
    tls: dict[str, Path],
) -> None:
    with pytest.raises(ssl.SSLError):
        aiokafka_options(
            {
                "bootstrap.servers": "broker:9093",
                "security.protocol": "SSL",
                "ssl.certificate.location": str(tls["cert"]),
                "ssl.key.location": str(tls["key"]),
                "ssl.key.password": "wrong",
            }
        )


def test_settings_aiokafka_cannot_honour_are_refused_by_name() -> None:
    with pytest.raises(BrokerError) as error:
        aiokafka_options(
            {
                "bootstrap.servers": "broker:9093",
                "sasl.oauthbearer.config": "scope=x",
                "enable.ssl.certificate.verification": "false",
            }
        )
    assert str(error.value).endswith(
        "does not support: enable.ssl.certificate.verification, sasl.oauthbearer.config"
    )


async def test_the_options_are_accepted_by_aiokafka_clients(tls: dict[str, Path]) -> None:
    options = aiokafka_options(
        {
            "bootstrap.servers": "broker:9093",
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "PLAIN",
            "sasl.username": "u",
            "sasl.password": "p",
            "ssl.ca.location": str(tls["ca"]),
        }
    )
    producer = AIOKafkaProducer(transactional_id="engine-1", **options)
    consumer = AIOKafkaConsumer(group_id="engine", **options)
    assert producer.client._security_protocol == "SASL_SSL"
    assert consumer._client._sasl_plain_username == "u"
    await producer.stop()
    await consumer.stop()


def test_a_credentials_file_s_signing_key_is_honeyflow_s_not_kafka_s(tmp_path: Path) -> None:
    """`honeyflow.signing.key.location` (docs/security.md) is taken out of the client settings
    (librdkafka and aiokafka would refuse it) and read as Honeyflow's own; an engine told to
    check signed commands without a key of its own says which setting is missing."""
    from broker.command_signing import SigningError, generate_key, write_public_key
    from broker.kafka_config import honeyflow_settings
    from broker.topics import TopicSettings
    from processors.kafka.runtime import EngineRuntime, EngineSettings

    properties = tmp_path / "engine.properties"
    properties.write_text("sasl.username=engine\nhoneyflow.signing.key.location=/k/engine.key\n")
    config = client_config("127.0.0.1:9092", config_file=properties, environ={})
    assert config == {"bootstrap.servers": "127.0.0.1:9092", "sasl.username": "engine"}
    assert aiokafka_options(config)["security_protocol"] == "PLAINTEXT"
    assert honeyflow_settings(config_file=properties, environ={}) == {
        "honeyflow.signing.key.location": "/k/engine.key"
    }
    admin = tmp_path / "admin.pub"
    write_public_key(generate_key().public_key(), admin)
    settings = EngineSettings(config, TopicSettings(), tmp_path, admin_public_key=admin)
    with pytest.raises(SigningError, match=r"set honeyflow\.signing\.key\.location"):
        EngineRuntime(settings)
