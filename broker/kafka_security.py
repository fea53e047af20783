"""What makes a local cluster secure: its listeners, SCRAM users, credential files and ACLs.

Clients and brokers talk SASL_SSL (SCRAM-SHA-512 over TLS) on the broker listener; nodes
reach each other's controller listener over mutual TLS (KRaft cannot check SCRAM there: the
controllers hold the SCRAM credentials themselves). The StandardAuthorizer refuses whatever no
ACL allows; `admin` and the brokers (`broker` on SASL, the node certificates on TLS) are super
users. Every principal gets `<cluster>/credentials/<name>.properties`, a librdkafka client
configuration any Honeyflow command takes with `--kafka-config`, with the Ed25519 key that
signs the principal's commands and its certificate (broker/command_signing.py; the admin's
public key, `credentials/admin.pub`, is what the engine checks them with). Passwords are kept in
`<cluster>/secrets.json` (mode 0600) so that a restart reuses them.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broker.command_signing import (
    SIGNING_KEY_SETTING,
    certificate_key,
    generate_key,
    issue_certificate,
    read_private_key,
    write_private_key,
    write_public_key,
)
from broker.errors import BrokerError
from broker.kafka_config import ClientConfig, client_config
from broker.kafka_roles import Grant, apply_acls, role_grants
from broker.kafka_tls import ClusterTls
from broker.protocol.principal import DEFAULT_TENANTS, Role

MECHANISM = "SCRAM-SHA-512"
SCRAM_ITERATIONS = 8192
BROKER_USER = "broker"
ADMIN_USER = "admin"
# The principals `kafka up --secure` creates, with their roles (admin: super user).
STANDARD_USERS: dict[str, str | None] = {
    ADMIN_USER: None,
    "engine": "engine",
    "exporter": "exporter",
    "operator": "operator",
    "reader": "reader",
}
SECRETS_FILE = "secrets.json"
_USER_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def check_user_name(name: str) -> None:
    # Names go into SCRAM format arguments and file names: keep them plain.
    if not name or not set(name) <= _USER_NAME_CHARS or name in (BROKER_USER, ADMIN_USER):
        raise BrokerError(
            f"user name {name!r}: use letters, digits, '.', '_' or '-' (not 'admin' or 'broker')"
        )


@dataclass(frozen=True)
class SigningGrant:
    """What a principal's certificate grants it in the engine (docs/security.md)."""

    role: Role
    job_types: tuple[str, ...] = ()
    tenants: tuple[str, ...] = DEFAULT_TENANTS


@dataclass(frozen=True)
class ClusterSecrets:
    """Passwords of a secure cluster: the key stores' and one per SCRAM user."""

    directory: Path

    @property
    def file(self) -> Path:
        return self.directory / SECRETS_FILE

    @property
    def credentials_dir(self) -> Path:
        return self.directory / "credentials"

    @property
    def tls(self) -> ClusterTls:
        return ClusterTls(self.directory / "tls", self._load()["keystore"])

    def _load(self) -> dict[str, Any]:
        if not self.file.exists():
            raw: dict[str, Any] = {"keystore": secrets.token_urlsafe(24), "users": {}}
            for user in (BROKER_USER, *STANDARD_USERS):
                raw["users"][user] = secrets.token_urlsafe(24)
            self._save(raw)
            return raw
        try:
            loaded: dict[str, Any] = json.loads(self.file.read_text())
        except (OSError, ValueError) as e:
            raise BrokerError(f"cannot read {self.file}: {e}") from e
        return loaded

    def _save(self, raw: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(raw, f, indent=2)

    def users(self) -> dict[str, str]:
        users: dict[str, str] = self._load()["users"]
        return users

    def add_user(self, name: str) -> str:
        """A new password for `name`, kept (an existing user gets a new one)."""
        raw = self._load()
        raw["users"][name] = secrets.token_urlsafe(24)
        self._save(raw)
        return str(raw["users"][name])

    def credentials_file(self, name: str) -> Path:
        return self.credentials_dir / f"{name}.properties"

    def write_credentials(self, name: str, grant: SigningGrant | None = None) -> Path:
        """`credentials/<name>.properties`, readable by its owner only, and the principal's
        signing key and certificate beside it (`signing_files`)."""
        password = self.users()[name]
        self.credentials_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.credentials_dir, 0o700)
        key = self.signing_files(name, grant)
        path = self.credentials_file(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(
                f"# Kafka credentials of {name!r}; give them with --kafka-config {path}\n"
                f"security.protocol=SASL_SSL\n"
                f"sasl.mechanism={MECHANISM}\n"
                f"sasl.username={name}\n"
                f"sasl.password={password}\n"
                f"ssl.ca.location={self.tls.ca_pem}\n"
            )
            if key is not None:
                f.write(
                    "# Honeyflow's own: the key that signs this principal's commands (its\n"
                    "# certificate beside it, .principal); not passed to Kafka\n"
                    f"{SIGNING_KEY_SETTING}={key}\n"
                )
        return path

    @property
    def revoked_keys(self) -> Path:
        """What the engine is started with (`--revoked-keys`) to refuse revoked principals."""
        return self.credentials_dir / "revoked-keys"

    def revoke(self, name: str) -> Path:
        """Add the key of `name`'s certificate to `revoked-keys` and delete its key and
        certificate: a standard principal (`kafka up --secure`'s) gets a new pair at once,
        another one when `kafka user add NAME` adds it again. Returns the list."""
        key_path = self.credentials_dir / f"{name}.key"
        certificate = key_path.with_suffix(".principal")
        if not certificate.exists():
            raise BrokerError(f"principal {name} has no certificate in {self.credentials_dir}")
        key = certificate_key(certificate.read_bytes())
        path = self.revoked_keys
        listed = path.read_text() if path.exists() else ""
        if key not in listed:
            with path.open("a") as out:
                out.write(f"{key} {name}\n")
        certificate.unlink()
        key_path.unlink(missing_ok=True)
        if name in self.users():  # a standard principal gets a new key now, others none
            self.write_credentials(name)
        return path

    @property
    def admin_public_key(self) -> Path:
        """What the engine is started with (`--admin-public-key`) to check signed commands."""
        return self.credentials_dir / f"{ADMIN_USER}.pub"

    def signing_files(self, name: str, grant: SigningGrant | None = None) -> Path | None:
        """`credentials/<name>.key`, the principal's Ed25519 key (made once, kept across
        restarts), and `<name>.principal`, its certificate signed by the admin key: with
        `grant`, or the standard role's, or as it was. Returns the key's path; None for a
        principal added with `kafka user add` whose certificate is gone (revoked): it gets
        none until it is added again."""
        directory = self.credentials_dir.resolve()
        admin_key_path = directory / f"{ADMIN_USER}.key"
        if not admin_key_path.exists():
            admin_key = generate_key()
            write_private_key(admin_key, admin_key_path)
            write_public_key(admin_key.public_key(), directory / f"{ADMIN_USER}.pub")
        admin_key = read_private_key(admin_key_path)
        key_path = directory / f"{name}.key"
        certificate = key_path.with_suffix(".principal")
        if grant is None and name in STANDARD_USERS:
            grant = SigningGrant(Role(STANDARD_USERS[name] or ADMIN_USER))
        if grant is None:
            return key_path if certificate.exists() else None
        if not key_path.exists():
            write_private_key(generate_key(), key_path)
        certificate.write_bytes(
            issue_certificate(
                admin_key,
                name,
                grant.role,
                read_private_key(key_path).public_key(),
                job_types=grant.job_types,
                tenants=grant.tenants,
            )
        )
        certificate.chmod(0o600)
        return key_path

    def admin_config(self, bootstrap: str) -> ClientConfig:
        return client_config(bootstrap, config_file=self.credentials_file(ADMIN_USER), environ={})


def _jaas(user: str, password: str) -> str:
    return (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{user}" password="{password}";'
    )


def secure_properties(
    secrets_: ClusterSecrets,
    node_id: int,
    node_ids: list[int],
    broker_port: int,
    controller_port: int,
) -> dict[str, object]:
    """Broker settings that replace the launcher's plaintext listeners."""
    tls = secrets_.tls
    supers = [f"User:{ADMIN_USER}", f"User:{BROKER_USER}"]
    supers += [tls.node_principal(n) for n in node_ids]
    return {
        "listeners": f"CLIENT://127.0.0.1:{broker_port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"CLIENT://127.0.0.1:{broker_port}",
        "inter.broker.listener.name": "CLIENT",
        "listener.security.protocol.map": "CLIENT:SASL_SSL,CONTROLLER:SSL",
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "listener.name.client.scram-sha-512.sasl.jaas.config": _jaas(
            BROKER_USER, secrets_.users()[BROKER_USER]
        ),
        "listener.name.controller.ssl.client.auth": "required",
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": tls.keystore(node_id),
        "ssl.keystore.password": tls.password,
        "ssl.key.password": tls.password,
        "ssl.truststore.type": "PKCS12",
        "ssl.truststore.location": tls.truststore,
        "ssl.truststore.password": tls.password,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": ";".join(supers),
        "allow.everyone.if.no.acl.found": "false",
    }


def scram_format_arguments(secrets_: ClusterSecrets) -> list[str]:
    """`kafka-storage format --add-scram ...` for every user known when the cluster is made:
    the credentials are in the cluster's first metadata, before any listener opens."""
    args = []
    for user, password in secrets_.users().items():
        args += ["--add-scram", f"{MECHANISM}=[name={user},password={password}]"]
    return args


def add_scram_user(admin_config: Mapping[str, Any], user: str, password: str) -> None:
    from confluent_kafka.admin import AdminClient
    from confluent_kafka.admin._scram import (
        ScramCredentialInfo,
        ScramMechanism,
        UserScramCredentialUpsertion,
    )
    from confluent_kafka.cimpl import KafkaException

    admin = AdminClient({**admin_config, "log_level": 3})
    upsert = UserScramCredentialUpsertion(
        user,
        ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
        password.encode(),
    )
    try:
        for future in admin.alter_user_scram_credentials([upsert]).values():
            future.result(timeout=30)
    except KafkaException as e:
        raise BrokerError(f"cannot set the SCRAM credential of {user}: {e.args[0].str()}") from e


def grant_standard_roles(secrets_: ClusterSecrets, bootstrap: str, prefix: str) -> None:
    admin = secrets_.admin_config(bootstrap)
    for user, role in STANDARD_USERS.items():
        if role is not None:
            apply_acls(admin, user, role_grants(role, prefix))


def add_user(
    secrets_: ClusterSecrets,
    bootstrap: str,
    name: str,
    grants: list[Grant],
    signing: SigningGrant,
) -> Path:
    """A new principal with `grants`: its SCRAM credential, ACLs, credentials file, signing
    key and certificate (what the engine lets it do: `signing`)."""
    check_user_name(name)
    admin = secrets_.admin_config(bootstrap)
    password = secrets_.add_user(name)
    add_scram_user(admin, name, password)
    apply_acls(admin, name, grants)
    return secrets_.write_credentials(name, signing)
