"""The files docker-compose.secure.yml mounts: what `honeyflow kafka up --secure` makes for a
local cluster, made for the three nodes of the compose file (`kafka-1..3`).

`write_compose_files(DIR)` writes, under DIR (mounted at the same absolute path in every
container, so the paths in the files hold inside and outside): the CA and the key stores
(`tls/`, certificates naming `kafka-N` and localhost), the credentials of each standard
principal (`credentials/`), `secrets.json`, and under `compose/` what only the containers read:
`kafka-N.env` (the node's secret broker settings in the apache/kafka image's environment form)
and `format-storage.sh` (formats a node's storage with the SCRAM users, before it starts).
The broker settings are `secure_properties`', the launcher's own: the compose file holds the
ones without secrets, the env files the others (tests/deploy/test_compose_secure.py checks both
against it). Everything but the CA certificate is readable by its owner only.
"""

from __future__ import annotations

from pathlib import Path

from broker.kafka_dist import require_java
from broker.kafka_security import (
    BROKER_USER,
    MECHANISM,
    STANDARD_USERS,
    ClusterSecrets,
    _jaas,
    scram_format_arguments,
    secure_properties,
)
from broker.kafka_tls import make_tls
from broker.private_files import write_private

NODE_IDS = [1, 2, 3]
NODE_HOST = "kafka-{}"
BROKER_PORT = 9092
CONTROLLER_PORT = 9093
LOG_DIR = "/var/lib/kafka/data"
# What secure_properties holds that the compose file sets per service (its listeners).
LISTENER_SETTINGS = ("listeners", "advertised.listeners", "listener.security.protocol.map")
# What goes into kafka-N.env, not the compose file: passwords, and paths under DIR.
SECRET_SETTINGS = (
    "listener.name.client.scram-sha-512.sasl.jaas.config",
    "ssl.keystore.location",
    "ssl.keystore.password",
    "ssl.key.password",
    "ssl.truststore.location",
    "ssl.truststore.password",
)
# The host-facing listener (localhost:1909N) authenticates as the client one does.
EXTERNAL_JAAS = "listener.name.external.scram-sha-512.sasl.jaas.config"


def env_name(setting: str) -> str:
    """The apache/kafka image's environment variable for a server setting (its README:
    `.` is `_`, `_` is `__`, `-` is `___`, upper case, `KAFKA_` in front)."""
    name = setting.replace("_", "__").replace(".", "_").replace("-", "___")
    return "KAFKA_" + name.upper()


def setting_name(env: str) -> str:
    """The server setting the apache/kafka image makes of `KAFKA_...` (env_name's inverse)."""
    name = env.removeprefix("KAFKA_").lower()
    name = name.replace("___", "-").replace("__", "\0").replace("_", ".")
    return name.replace("\0", "_")


def node_settings(secrets_: ClusterSecrets, node_id: int) -> dict[str, str]:
    """The secret broker settings of node `node_id` (kafka-N.env)."""
    settings = secure_properties(secrets_, node_id, NODE_IDS, BROKER_PORT, CONTROLLER_PORT)
    chosen = {key: str(settings[key]) for key in SECRET_SETTINGS}
    chosen[EXTERNAL_JAAS] = _jaas(BROKER_USER, secrets_.users()[BROKER_USER])
    return chosen


def format_script(secrets_: ClusterSecrets) -> str:
    voters = ",".join(f"{n}@{NODE_HOST.format(n)}:{CONTROLLER_PORT}" for n in NODE_IDS)
    scram = " ".join(f"'{arg}'" for arg in scram_format_arguments(secrets_))
    return (
        "#!/bin/sh\n"
        "# Formats the storage of node $1 with the SCRAM users of the cluster (KRaft reads them\n"
        "# from its first metadata); the node's own start then finds it formatted.\n"
        "# Written by `honeyflow kafka secure-files`; run by docker-compose.secure.yml.\n"
        "set -e\n"
        "cat > /tmp/format.properties <<EOF\n"
        "process.roles=broker,controller\n"
        "node.id=$1\n"
        f"controller.quorum.voters={voters}\n"
        "controller.listener.names=CONTROLLER\n"
        f"listeners=CLIENT://:{BROKER_PORT},CONTROLLER://:{CONTROLLER_PORT}\n"
        "listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SSL\n"
        "inter.broker.listener.name=CLIENT\n"
        f"sasl.enabled.mechanisms={MECHANISM}\n"
        f"log.dirs={LOG_DIR}\n"
        "EOF\n"
        'exec /opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID"'
        f" --config /tmp/format.properties {scram}\n"
    )


def write_compose_files(directory: Path, java: str | None = None) -> list[Path]:
    """Make (or complete) the secure files of docker-compose.secure.yml under `directory`;
    existing keys, certificates and passwords are kept. Returns the files written."""
    directory = directory.resolve()
    secrets_ = ClusterSecrets(directory)
    tls = secrets_.tls
    make_tls(tls.directory, tls.password, NODE_IDS, java or require_java(), NODE_HOST)
    written = [secrets_.write_credentials(name) for name in STANDARD_USERS]
    compose = directory / "compose"
    compose.mkdir(parents=True, exist_ok=True)
    compose.chmod(0o700)
    for node_id in NODE_IDS:
        path = compose / f"kafka-{node_id}.env"
        lines = [f"{env_name(k)}='{v}'" for k, v in node_settings(secrets_, node_id).items()]
        write_private(path, "\n".join(lines) + "\n")
        written.append(path)
    script = compose / "format-storage.sh"
    write_private(script, format_script(secrets_))
    written.append(script)
    return written
