"""docker-compose.secure.yml (no Docker here, so not run): it parses, every Honeyflow command
in it is one `honeyflow` accepts, the Kafka settings its environment gives the apache/kafka
image are the launcher's secure ones (secure_properties), and `honeyflow kafka secure-files`
writes what it mounts, readable by its owner only."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from broker.kafka_compose import LISTENER_SETTINGS, NODE_IDS, env_name, setting_name
from broker.kafka_security import STANDARD_USERS, ClusterSecrets, secure_properties
from clients.cli.main import cli

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.secure.yml"
pytestmark = pytest.mark.skipif(
    shutil.which("keytool") is None, reason="secure-files makes key stores with the JDK's keytool"
)


@pytest.fixture(scope="module")
def secure_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("compose-secure")
    result = CliRunner().invoke(cli, ["kafka", "secure-files", "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    return directory


def interpolate(value: Any, environ: dict[str, str]) -> Any:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` substitution."""
    if isinstance(value, dict):
        return {k: interpolate(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, environ) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, op, word = match.group(1), match.group(2), match.group(3)
        if name in environ:
            return environ[name]
        if op == ":?":
            raise AssertionError(f"{name} unset: {word}")
        return word or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", substitute, value)


@pytest.fixture(scope="module")
def services(secure_dir: Path) -> dict[str, Any]:
    raw = yaml.safe_load(COMPOSE.read_text())
    parsed: dict[str, Any] = interpolate(raw, {"HONEYFLOW_SECURE_DIR": str(secure_dir)})
    return parsed["services"]


def parses(args: list[str]) -> click.Context:
    """The command line as `honeyflow` parses it (not run): an unknown option fails here."""
    assert args[0] == "honeyflow"
    command: click.Command = cli
    args = list(args[1:])
    while isinstance(command, click.Group):
        name, args = args[0], args[1:]
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"honeyflow has no command {name!r}"
        command = found
    return command.make_context(command.name, args)


def test_without_the_secure_dir_compose_is_refused_with_what_to_do() -> None:
    raw = yaml.safe_load(COMPOSE.read_text())
    with pytest.raises(AssertionError, match="honeyflow kafka secure-files"):
        interpolate(raw, {})


def test_secure_files_are_written_for_the_owner_only(secure_dir: Path) -> None:
    assert stat.S_IMODE((secure_dir / "tls" / "ca.pem").stat().st_mode) == 0o644
    private = [secure_dir / "secrets.json", secure_dir / "tls" / "truststore.p12"]
    private += [secure_dir / "tls" / f"node-{n}.p12" for n in NODE_IDS]
    private += [secure_dir / "compose" / f"kafka-{n}.env" for n in NODE_IDS]
    private += [secure_dir / "compose" / "format-storage.sh"]
    for user in STANDARD_USERS:
        private += [secure_dir / "credentials" / f"{user}.{ext}" for ext in ("properties", "key")]
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for directory in ("tls", "credentials", "compose"):
        assert stat.S_IMODE((secure_dir / directory).stat().st_mode) == 0o700
    engine = (secure_dir / "credentials" / "engine.properties").read_text()
    assert "security.protocol=SASL_SSL" in engine
    assert f"ssl.ca.location={secure_dir / 'tls' / 'ca.pem'}" in engine


def test_secure_files_keep_existing_secrets(secure_dir: Path) -> None:
    before = ClusterSecrets(secure_dir).users()
    ca = (secure_dir / "tls" / "ca.pem").read_bytes()
    result = CliRunner().invoke(cli, ["kafka", "secure-files", "--dir", str(secure_dir)])
    assert result.exit_code == 0, result.output
    assert ClusterSecrets(secure_dir).users() == before
    assert (secure_dir / "tls" / "ca.pem").read_bytes() == ca


def _env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line)
    return {k: v.removeprefix("'").removesuffix("'") for k, v in pairs}


def test_kafka_nodes_get_the_launchers_secure_settings(
    services: dict[str, Any], secure_dir: Path
) -> None:
    secrets_ = ClusterSecrets(secure_dir)
    for node_id in NODE_IDS:
        service = services[f"kafka-{node_id}"]
        environ = {k: str(v) for k, v in service["environment"].items()}
        for env_file in service["env_file"]:
            environ.update(_env_file(Path(env_file)))
        given = {setting_name(k): v for k, v in environ.items() if k.startswith("KAFKA_")}
        expected = secure_properties(secrets_, node_id, NODE_IDS, 9092, 9093)
        for key, value in expected.items():
            if key not in LISTENER_SETTINGS:
                assert given.get(key) == str(value), key
        # The launcher's listeners, and the host-facing one, secured the same way.
        protocols = dict(p.split(":") for p in given["listener.security.protocol.map"].split(","))
        launcher = dict(
            p.split(":") for p in str(expected["listener.security.protocol.map"]).split(",")
        )
        assert protocols == {**launcher, "EXTERNAL": "SASL_SSL"}
        listeners = {p.split("://")[0] for p in given["listeners"].split(",")}
        assert listeners == set(protocols)
        assert given["listener.name.external.scram-sha-512.sasl.jaas.config"] == str(
            expected["listener.name.client.scram-sha-512.sasl.jaas.config"]
        )
        assert service["depends_on"] == {
            f"kafka-{node_id}-format": {"condition": "service_completed_successfully"}
        }


def test_env_names_follow_the_apache_kafka_image() -> None:
    assert env_name("listener.name.client.scram-sha-512.sasl.jaas.config") == (
        "KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG"
    )
    assert setting_name("KAFKA_SSL_KEY_PASSWORD") == "ssl.key.password"
    assert setting_name(env_name("a_b.c-d")) == "a_b.c-d"


def test_storage_is_formatted_with_every_scram_user(
    services: dict[str, Any], secure_dir: Path
) -> None:
    script = (secure_dir / "compose" / "format-storage.sh").read_text()
    for user, password in ClusterSecrets(secure_dir).users().items():
        assert f"SCRAM-SHA-512=[name={user},password={password}]" in script
    for node_id in NODE_IDS:
        command = services[f"kafka-{node_id}-format"]["command"]
        assert command == ["sh", f"{secure_dir}/compose/format-storage.sh", str(node_id)]
        assert f"kafka-{node_id}:/var/lib/kafka/data" in services[f"kafka-{node_id}"]["volumes"]
        assert (
            f"kafka-{node_id}:/var/lib/kafka/data"
            in (services[f"kafka-{node_id}-format"]["volumes"])
        )


def test_every_honeyflow_process_runs_with_its_principals_credentials(
    services: dict[str, Any], secure_dir: Path
) -> None:
    credentials = secure_dir / "credentials"
    honeyflow = {n: s for n, s in services.items() if s.get("image") == "honeyflow:latest"}
    assert set(honeyflow) == {"acls", "topics", "engine"}
    for service in honeyflow.values():
        assert f"{secure_dir}:{secure_dir}:ro" in service["volumes"]
    acls = parses(services["acls"]["command"])
    assert acls.params["directory"] == secure_dir
    topics = parses(services["topics"]["command"])
    assert str(topics.params["kafka_config"]) == str(credentials / "admin.properties")
    engine = parses(services["engine"]["command"])
    assert str(engine.params["kafka_config"]) == str(credentials / "engine.properties")
    assert str(engine.params["admin_public_key"]) == str(credentials / "admin.pub")
    assert services["engine"]["depends_on"] == {
        "topics": {"condition": "service_completed_successfully"}
    }
    assert services["topics"]["depends_on"] == {
        "acls": {"condition": "service_completed_successfully"}
    }


def test_node_certificates_name_their_compose_host(secure_dir: Path) -> None:
    # The nodes reach each other's controller listener as kafka-N, with host name checks.
    keytool = shutil.which("keytool")
    assert keytool is not None
    tls = ClusterSecrets(secure_dir).tls
    for node_id in NODE_IDS:
        listing = subprocess.run(
            [keytool, "-list", "-v", "-keystore", str(tls.keystore(node_id)),
             "-storepass", tls.password, "-alias", "node"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert f"DNSName: kafka-{node_id}" in listing
        assert "DNSName: localhost" in listing
