"""Signed commands (broker/command_signing.py, processors/signed_intake.py): a command signed
with a principal's key and the certificate the admin issued is taken as that principal's;
unsigned, altered, signed for another partition, with a certificate the admin did not sign, or
sent again with the same request id, it is refused with a reason naming the principal."""

from __future__ import annotations

from pathlib import Path

import pytest

from broker.command_signing import (
    CommandVerifier,
    SignedCommand,
    Signer,
    SigningError,
    generate_key,
    issue_certificate,
    read_revoked,
)
from broker.protocol.principal import Principal, Role, Unverified
from processors.engine.kv_store import InMemoryKeyValueStore
from processors.signed_intake import REPLAY_WINDOW_MS, SignedIntake

ADMIN = generate_key()
VALUE = b'{"recordType":"COMMAND","valueType":"DEPLOYMENT","intent":"CREATE"}'
NOW = 1_765_000_000_000


def _signer(name: str = "payments", admin: object = ADMIN) -> Signer:
    key = generate_key()
    certificate = issue_certificate(
        admin,  # type: ignore[arg-type]
        name,
        Role.WORKER,
        key.public_key(),
        job_types=("payment",),
        tenants=("acme",),
    )
    return Signer(key, certificate)


def _headers(signer: Signer, value: bytes = VALUE, partition: int = 1, rid: str = "r-1") -> list:
    return [
        ("honeyflow-request-id", rid.encode()),
        *signer.headers(value, partition, rid, now_ms=NOW),
    ]


def test_a_signed_command_names_its_principal_with_what_the_admin_granted() -> None:
    checked = CommandVerifier(ADMIN.public_key()).verify(VALUE, _headers(_signer()), (1,))
    assert isinstance(checked, SignedCommand)
    assert checked.principal == Principal("payments", Role.WORKER, ("payment",), ("acme",))
    assert checked.request_id == "r-1"


def test_unsigned_altered_misplaced_and_uncertified_commands_are_refused() -> None:
    verifier = CommandVerifier(ADMIN.public_key())
    signer = _signer()
    assert verifier.verify(VALUE, [("honeyflow-request-id", b"r")], (1,)) == Unverified(
        "", "the command is not signed (no honeyflow-principal header)"
    )
    altered = verifier.verify(VALUE.replace(b"CREATE", b"DELETE"), _headers(signer), (1,))
    assert isinstance(altered, Unverified)
    assert altered.claimed == "payments"
    assert "signature does not match the command for partition 1" in altered.reason
    elsewhere = verifier.verify(VALUE, _headers(signer, partition=2), (1,))
    assert isinstance(elsewhere, Unverified)
    rogue = verifier.verify(VALUE, _headers(_signer("ops", admin=generate_key())), (1,))
    assert rogue == Unverified(
        "ops", "it carries a certificate for 'ops' that the admin key did not sign"
    )


def test_a_certificate_with_someone_elses_key_does_not_sign() -> None:
    verifier = CommandVerifier(ADMIN.public_key())
    genuine = _signer()
    thief = Signer.__new__(Signer)
    thief._key = generate_key()  # the certificate is public: it travels with every command
    thief.certificate = genuine.certificate
    thief.role = genuine.role
    refused = verifier.verify(VALUE, _headers(thief), (1,))
    assert isinstance(refused, Unverified)
    assert refused.claimed == "payments"


def test_a_request_id_is_taken_once_per_principal_within_the_window() -> None:
    intake = SignedIntake(CommandVerifier(ADMIN.public_key()), InMemoryKeyValueStore())
    signer = _signer()
    headers = _headers(signer)
    assert isinstance(intake.check(VALUE, headers, (1,), NOW), Principal)
    again = intake.check(VALUE, headers, (1,), NOW + 5)
    assert again == Unverified(
        "payments", "request id 'r-1' was already used by payments: a replayed command"
    )
    stale = intake.check(VALUE, _headers(signer, rid="r-2"), (1,), NOW + REPLAY_WINDOW_MS + 1)
    assert isinstance(stale, Unverified)
    assert "more than 24 hours from when it is processed" in stale.reason


def test_a_gateway_names_the_user_it_speaks_for_and_no_one_else_can() -> None:
    verifier = CommandVerifier(ADMIN.public_key())
    key = generate_key()
    gateway = Signer(key, issue_certificate(ADMIN, "gw", Role.GATEWAY, key.public_key()))
    headers = [
        ("honeyflow-request-id", b"g-1"),
        *gateway.headers(VALUE, 1, "g-1", on_behalf_of="alice", now_ms=NOW),
    ]
    checked = verifier.verify(VALUE, headers, (1,))
    assert isinstance(checked, SignedCommand)
    assert checked.principal.audit_name == "gw (for alice)"
    # An operator's client signs as itself; a name added afterwards breaks the signature.
    key = generate_key()
    operator = Signer(key, issue_certificate(ADMIN, "ops", Role.OPERATOR, key.public_key()))
    own = operator.headers(VALUE, 1, "o-1", on_behalf_of="alice", now_ms=NOW)
    assert "honeyflow-on-behalf-of" not in dict(own)
    added = [("honeyflow-request-id", b"o-1"), *own, ("honeyflow-on-behalf-of", b"alice")]
    refused = verifier.verify(VALUE, added, (1,))
    assert isinstance(refused, Unverified) and "signature does not match" in refused.reason
    # A client changed to sign a name anyway is refused for its certificate's role.
    operator.role = Role.GATEWAY
    forged = operator.headers(VALUE, 1, "o-2", on_behalf_of="alice", now_ms=NOW)
    refused = verifier.verify(VALUE, [("honeyflow-request-id", b"o-2"), *forged], (1,))
    assert refused == Unverified("ops", "only a gateway may speak for another user")


def test_a_revoked_principal_s_commands_are_refused_and_it_gets_a_new_key(tmp_path: Path) -> None:
    """`honeyflow kafka user revoke NAME` lists NAME's key in credentials/revoked-keys, which
    the engine takes with --revoked-keys; NAME's old key no longer signs for it."""
    from click.testing import CliRunner

    from broker.command_signing import read_private_key
    from broker.kafka_security import ClusterSecrets, SigningGrant
    from clients.cli.main import cli

    secrets = ClusterSecrets(tmp_path)
    secrets.write_credentials("operator")
    secrets.add_user("payments")
    secrets.write_credentials("payments", SigningGrant(Role.WORKER, ("payment",)))
    credentials = tmp_path / "credentials"
    old = Signer.from_files(credentials / "payments.key")
    old_operator = Signer.from_files(credentials / "operator.key")
    for name in ("payments", "operator"):
        result = CliRunner().invoke(cli, ["kafka", "user", "revoke", name, "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == str(credentials / "revoked-keys")
    verifier = CommandVerifier.from_file(credentials / "admin.pub", credentials / "revoked-keys")
    for signer in (old, old_operator):
        refused = verifier.verify(VALUE, _headers(signer), (1,))
        assert refused == Unverified(
            signer.name, f"the key of {signer.name}'s certificate is revoked"
        )
    # The worker has no key until it is added again; the operator has a new one at once.
    assert not (credentials / "payments.key").exists()
    assert "honeyflow.signing.key.location" not in (credentials / "payments.properties").read_text()
    new_operator = Signer.from_files(credentials / "operator.key")
    assert isinstance(verifier.verify(VALUE, _headers(new_operator), (1,)), SignedCommand)
    assert read_private_key(credentials / "admin.key")  # the admin key stays


def test_the_engine_takes_revoked_keys_only_with_the_admin_key(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from clients.cli.main import cli

    revoked = tmp_path / "revoked-keys"
    revoked.write_text("# none yet\n")
    options = ["engine", "--address", "127.0.0.1:1", "--revoked-keys", str(revoked)]
    result = CliRunner().invoke(cli, options)
    assert result.exit_code == 2
    assert "--revoked-keys goes with --admin-public-key" in result.output
    revoked.write_text("not-a-key payments\n")
    with pytest.raises(SigningError, match=r"revoked-keys:1: 'not-a-key' is not an Ed25519"):
        read_revoked(revoked)
