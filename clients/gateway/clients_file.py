"""The gateway's clients (`honeyflow gateway --clients FILE`): who may get a token, with which
secret and role. A JSON file, mode 0600:

    {"signing_key": "<hex>", "clients": {"<id>": {"secret_hash": "$argon2id$...",
     "role": "worker", "job_types": ["payment"], "tenants": []}}}

Secrets are kept only as Argon2id hashes (clients.secret_hashes); `signing_key` signs the gateway's
tokens, so every gateway started with the same file accepts the tokens of the others and a
restarted gateway accepts the tokens it gave before."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

from broker.private_files import replace_private_json
from broker.protocol.tenants import tenant_problem
from clients.secret_hashes import hash_secret, secret_matches

Role = Literal["operator", "worker", "viewer"]
ROLES: Final[tuple[Role, ...]] = ("operator", "worker", "viewer")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")


class ClientsFileError(ValueError):
    """The clients file cannot be read or holds something wrong; the message names it."""


@dataclass(frozen=True)
class Client:
    """A client of the gateway: what its token lets it do (docs/gateway.md, Authentication)."""

    client_id: str
    role: Role
    job_types: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    secret_hash: str = field(default="", repr=False)


@dataclass(frozen=True)
class Clients:
    signing_key: bytes
    by_id: dict[str, Client]

    def authenticate(self, client_id: str, secret: str) -> Client | None:
        """The client whose id and secret these are, or None (unknown id or wrong secret)."""
        client = self.by_id.get(client_id)
        if not secret_matches(client.secret_hash if client else None, secret):
            return None
        return client


def check_client(client_id: str, role: str, job_types: tuple[str, ...]) -> None:
    """ValueError saying what is wrong with a client to add."""
    if not _ID.fullmatch(client_id):
        raise ValueError(f"client id {client_id!r}: use letters, digits and . _ @ - (at most 128)")
    if role not in ROLES:
        raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
    if role == "worker" and not job_types:
        raise ValueError("a worker needs at least one --job-type")
    if role != "worker" and job_types:
        raise ValueError(f"--job-type is for workers, not for the role {role}")


def load(path: Path) -> Clients:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ClientsFileError(f"cannot read the clients file {path}: {e.strerror}") from e
    except ValueError as e:
        raise ClientsFileError(f"the clients file {path} is not JSON: {e}") from e
    try:
        key = bytes.fromhex(data["signing_key"])
        clients = {}
        for client_id, entry in cast(dict[str, Any], data["clients"]).items():
            job_types = tuple(str(t) for t in entry.get("job_types", ()))
            check_client(client_id, entry["role"], job_types)
            clients[client_id] = Client(
                client_id,
                entry["role"],
                job_types,
                tuple(str(t) for t in entry.get("tenants", ())),
                str(entry["secret_hash"]),
            )
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise ClientsFileError(f"the clients file {path} is malformed: {e}") from e
    if len(key) < 32:
        raise ClientsFileError(f"the clients file {path}: signing_key is shorter than 32 bytes")
    return Clients(key, clients)


def add_client(
    path: Path,
    client_id: str,
    role: str,
    job_types: tuple[str, ...] = (),
    tenants: tuple[str, ...] = (),
) -> str:
    """Add `client_id` to the file (made if missing), or give it a new secret and role if it is
    there; the new secret, which only its hash keeps."""
    check_client(client_id, role, job_types)
    for tenant in tenants:
        if (problem := tenant_problem(tenant)) is not None:
            raise ClientsFileError(f"client {client_id}: tenant {tenant!r}: {problem}")
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        load(path)  # refuse to extend a broken file
    else:
        data = {"signing_key": secrets.token_bytes(32).hex(), "clients": {}}
    secret = secrets.token_urlsafe(32)
    data["clients"][client_id] = {
        "secret_hash": hash_secret(secret),
        "role": role,
        "job_types": list(job_types),
        "tenants": list(tenants),
    }
    replace_private_json(path, data)
    return secret
