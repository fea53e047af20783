"""Signed commands: who sent a command on the commands topic (docs/security.md, "Who sent a
command").

Kafka's ACLs stop at the topic, so every Honeyflow client signs each command it produces with
its principal's Ed25519 key and sends its certificate beside it, in headers:

- `honeyflow-principal`: the principal's certificate, compact JSON `{"name", "role",
  "jobTypes", "tenants", "publicKey", "signature"}`: what the admin granted it, signed by the
  admin key (whose public half the engine is started with);
- `honeyflow-signature`: the principal's signature (base64) over the command's partition,
  request id, signing time, the end user a gateway speaks for, and the record's bytes;
- `honeyflow-request-id` (or `honeyflow-command-id` for a command that asks no answer): the id
  the engine refuses to see twice from one principal;
- `honeyflow-signed-at`: epoch milliseconds when it was signed; `honeyflow-on-behalf-of`
  (optional): the end user.

`verify_command` is a pure function of the bytes (and the admin's public key): the runtime
calls it before the engine core sees the command and hands the core the `Principal`.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from broker.errors import BrokerError
from broker.private_files import write_private
from broker.protocol.principal import DEFAULT_TENANTS, Principal, Role, Unverified

PRINCIPAL_HEADER: Final = "honeyflow-principal"
SIGNATURE_HEADER: Final = "honeyflow-signature"
SIGNED_AT_HEADER: Final = "honeyflow-signed-at"
ON_BEHALF_OF_HEADER: Final = "honeyflow-on-behalf-of"
REQUEST_ID_HEADER: Final = "honeyflow-request-id"
COMMAND_ID_HEADER: Final = "honeyflow-command-id"
"""The id a command without a request id is signed with (the engine's commands between
partitions: a request id would ask for an answer)."""
SIGNING_KEY_SETTING: Final = "honeyflow.signing.key.location"
"""The client setting (in a credentials file) naming the principal's private key (PEM)."""
CERTIFICATE_SETTING: Final = "honeyflow.signing.certificate.location"
"""The client setting naming the principal's certificate (`NAME.principal`)."""
_DOMAIN: Final = b"honeyflow-command/1"
_MAX_HEADER: Final = 4096
_MAX_SIGNED_AT_DIGITS: Final = 19
"""Epoch milliseconds have 13 digits until the year 2286; 19 still fit an int64."""


class SigningError(BrokerError):
    """A key, certificate or signature setting that cannot be used."""


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def write_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """`path` (mode 0600) holds `key` as unencrypted PKCS#8 PEM."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(path, pem)


def write_public_key(key: Ed25519PublicKey, path: Path) -> None:
    path.write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def read_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        raise SigningError(f"cannot read the signing key {path}: {error.strerror}") from None
    except (ValueError, TypeError) as error:
        raise SigningError(f"{path} is not a PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def read_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as error:
        raise SigningError(f"cannot read the public key {path}: {error.strerror}") from None
    except ValueError as error:
        raise SigningError(f"{path} is not a PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path} holds a {type(key).__name__}, not an Ed25519 public key")
    return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _canonical(body: dict[str, object]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def issue_certificate(
    admin_key: Ed25519PrivateKey,
    name: str,
    role: Role,
    public_key: Ed25519PublicKey,
    *,
    job_types: Sequence[str] = (),
    tenants: Sequence[str] = DEFAULT_TENANTS,
) -> bytes:
    """The certificate of principal `name`: what it is granted, signed by the admin key."""
    if not name or not name.isprintable():
        raise SigningError(f"a principal needs a printable name, not {name!r}")
    if role is Role.WORKER and not job_types:
        raise SigningError(f"worker {name} needs at least one job type")
    body: dict[str, object] = {
        "name": name,
        "role": role.value,
        "jobTypes": list(job_types),
        "tenants": list(tenants),
        "publicKey": base64.b64encode(_raw(public_key)).decode(),
    }
    signature = admin_key.sign(_canonical(body))
    return _canonical({**body, "signature": base64.b64encode(signature).decode()})


@dataclass(frozen=True, slots=True)
class _Certificate:
    principal: Principal
    public_key: Ed25519PublicKey


def _read_certificate(data: bytes, admin: Ed25519PublicKey) -> _Certificate | str:
    """The certificate in `data` if the admin signed it, else why not."""
    try:
        obj = json.loads(data)
        body = {k: obj[k] for k in ("name", "role", "jobTypes", "tenants", "publicKey")}
        signature = base64.b64decode(obj["signature"], validate=True)
        name, role = body["name"], Role(body["role"])
        job_types, tenants = body["jobTypes"], body["tenants"]
        if not isinstance(name, str) or not name:
            return "a certificate without a name"
        if not all(isinstance(t, str) for t in (*job_types, *tenants)):
            return "a certificate whose job types or tenants are not text"
        raw_key = base64.b64decode(body["publicKey"], validate=True)
        public_key = Ed25519PublicKey.from_public_bytes(raw_key)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return "an unreadable certificate"
    try:
        admin.verify(signature, _canonical(body))
    except InvalidSignature:
        return f"a certificate for {name!r} that the admin key did not sign"
    principal = Principal(name, role, tuple(job_types), tuple(tenants))
    return _Certificate(principal, public_key)


def _payload(
    partition_id: int, request_id: bytes, signed_at: bytes, on_behalf_of: bytes, value: bytes
) -> bytes:
    return b"\0".join(
        (_DOMAIN, str(partition_id).encode(), request_id, signed_at, on_behalf_of, value)
    )


class Signer:
    """Signs the commands of one principal: its private key and its certificate."""

    def __init__(self, key: Ed25519PrivateKey, certificate: bytes) -> None:
        self._key = key
        self.certificate = certificate
        obj = json.loads(certificate)
        self.name: str = obj["name"]
        self.role = Role(obj["role"])
        if base64.b64decode(obj["publicKey"]) != _raw(key.public_key()):
            raise SigningError(f"the certificate of {self.name} is for another key")

    @staticmethod
    def from_files(key: Path, certificate: Path | None = None) -> Signer:
        """The key at `key` and its certificate (by default beside it: NAME.principal)."""
        certificate = certificate or key.with_suffix(".principal")
        try:
            data = certificate.read_bytes()
        except OSError as error:
            raise SigningError(
                f"cannot read the certificate {certificate}: {error.strerror}"
            ) from None
        try:
            return Signer(read_private_key(key), data)
        except (ValueError, KeyError) as error:
            raise SigningError(f"{certificate} is not a principal certificate ({error})") from None

    def headers(
        self,
        value: bytes,
        partition_id: int,
        request_id: str,
        *,
        on_behalf_of: str = "",
        now_ms: int | None = None,
    ) -> list[tuple[str, bytes]]:
        """The headers that sign `value` for partition `partition_id` (1-based). A principal
        whose role may not speak for others (not a gateway or the admin) signs as itself,
        without `on_behalf_of`."""
        if self.role not in (Role.GATEWAY, Role.ADMIN):
            on_behalf_of = ""
        signed_at = str(int(time.time() * 1000) if now_ms is None else now_ms).encode()
        behalf = on_behalf_of.encode()
        signature = self._key.sign(
            _payload(partition_id, request_id.encode(), signed_at, behalf, value)
        )
        headers = [
            (PRINCIPAL_HEADER, self.certificate),
            (SIGNATURE_HEADER, base64.b64encode(signature)),
            (SIGNED_AT_HEADER, signed_at),
        ]
        if on_behalf_of:
            headers.append((ON_BEHALF_OF_HEADER, behalf))
        return headers


@dataclass(frozen=True, slots=True)
class SignedCommand:
    """A command whose signature checked out: its principal, request id and signing time."""

    principal: Principal
    request_id: str
    signed_at: int


class CommandVerifier:
    """Checks the signatures of commands against the admin's public key; remembers the
    certificates it has checked (one Ed25519 check per command instead of two)."""

    def __init__(
        self, admin_public_key: Ed25519PublicKey, revoked: frozenset[str] = frozenset()
    ) -> None:
        """`revoked`: public keys (base64 of the raw 32 bytes, as certificates hold them)
        whose certificates are no longer honoured."""
        self._admin = admin_public_key
        self._revoked = revoked
        self._certificates: dict[bytes, _Certificate | str] = {}

    @staticmethod
    def from_file(path: Path, revoked: Path | None = None) -> CommandVerifier:
        """The verifier of the admin key at `path`, refusing the keys listed in `revoked`."""
        return CommandVerifier(
            read_public_key(path), frozenset() if revoked is None else read_revoked(revoked)
        )

    def verify(
        self,
        value: bytes,
        headers: Iterable[tuple[str, bytes]],
        partitions: Sequence[int],
    ) -> SignedCommand | Unverified:
        """Who signed `value` (a command read on one of `partitions`: its own, or also the
        partition a message was re-routed from), or why it is refused."""
        found: dict[str, bytes] = {}
        for name, data in headers:
            found[name] = data or b""
        certificate_bytes = found.get(PRINCIPAL_HEADER)
        if not certificate_bytes:
            return Unverified("", "the command is not signed (no honeyflow-principal header)")
        if len(certificate_bytes) > _MAX_HEADER:
            return Unverified("", "the honeyflow-principal header is too long")
        certificate = self._certificates.get(certificate_bytes)
        if certificate is None:
            certificate = _read_certificate(certificate_bytes, self._admin)
            if len(self._certificates) > 10_000:
                self._certificates.clear()
            self._certificates[certificate_bytes] = certificate
        if isinstance(certificate, str):
            return Unverified(_claimed_name(certificate_bytes), f"it carries {certificate}")
        name = certificate.principal.name
        if self._revoked and public_key_text(certificate.public_key) in self._revoked:
            return Unverified(name, f"the key of {name}'s certificate is revoked")
        request_id = found.get(REQUEST_ID_HEADER) or found.get(COMMAND_ID_HEADER, b"")
        signed_at = found.get(SIGNED_AT_HEADER, b"")
        if not request_id or not signed_at.isdigit():
            return Unverified(name, "the command has no request id or signing time")
        if len(signed_at) > _MAX_SIGNED_AT_DIGITS:
            return Unverified(name, "its signing time is not epoch milliseconds (too many digits)")
        behalf = found.get(ON_BEHALF_OF_HEADER, b"")
        try:
            signature = base64.b64decode(found.get(SIGNATURE_HEADER, b""), validate=True)
        except binascii.Error:
            signature = b""
        for partition_id in partitions:
            try:
                certificate.public_key.verify(
                    signature, _payload(partition_id, request_id, signed_at, behalf, value)
                )
            except InvalidSignature:
                continue
            principal = certificate.principal
            if behalf:
                if principal.role not in (Role.GATEWAY, Role.ADMIN):
                    return Unverified(name, "only a gateway may speak for another user")
                principal = Principal(
                    principal.name,
                    principal.role,
                    principal.job_types,
                    principal.tenants,
                    behalf.decode("utf-8", "replace"),
                )
            return SignedCommand(principal, request_id.decode("utf-8", "replace"), int(signed_at))
        return Unverified(
            name,
            f"its signature does not match the command for partition {partitions[0]}"
            f" (not signed with the key of {name}'s certificate, or altered)",
        )


def public_key_text(key: Ed25519PublicKey) -> str:
    """`key` as certificates and revocation lists write it (base64 of the raw 32 bytes)."""
    return base64.b64encode(_raw(key)).decode()


def certificate_key(certificate: bytes) -> str:
    """The public key a certificate names, as `public_key_text` writes it."""
    try:
        key = json.loads(certificate)["publicKey"]
    except (ValueError, KeyError, TypeError):
        raise SigningError("not a principal certificate") from None
    if not isinstance(key, str):
        raise SigningError("not a principal certificate")
    return key


def read_revoked(path: Path) -> frozenset[str]:
    """A revocation list: one public key a line (base64, as `public_key_text`; a name after
    it is a comment), `#` comments and blank lines."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SigningError(f"cannot read the revoked keys {path}: {error.strerror}") from None
    keys = set()
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        key = text.split()[0]
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key, validate=True))
        except (ValueError, binascii.Error):
            raise SigningError(
                f"{path}:{number}: {key!r} is not an Ed25519 public key (base64)"
            ) from None
        keys.add(key)
    return frozenset(keys)


def _claimed_name(certificate: bytes) -> str:
    try:
        name = json.loads(certificate).get("name", "")
    except (ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) else ""
