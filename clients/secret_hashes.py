"""Argon2id hashes of the secrets Honeyflow keeps (the gateway's client secrets, the web
console's passwords), with argon2-cffi's default parameters. One hasher for both, so that a
file holds no secret in clear and a check costs the same whether or not the name exists."""

from __future__ import annotations

import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER: Final = PasswordHasher()
# Verified against when the name is unknown, so that an unknown name costs as much as a wrong
# secret and the time of a refusal does not tell which names exist.
_DUMMY_HASH: Final = _HASHER.hash(secrets.token_urlsafe(16))


def hash_secret(secret: str) -> str:
    """An Argon2id hash (`$argon2id$...`, salted) of `secret`."""
    return _HASHER.hash(secret)


def secret_matches(secret_hash: str | None, secret: str) -> bool:
    """Whether `secret` is the one `secret_hash` was made from; None (an unknown name) is
    checked against a dummy hash and never matches. Argon2's check compares in constant
    time."""
    try:
        _HASHER.verify(secret_hash if secret_hash is not None else _DUMMY_HASH, secret)
    except (VerificationError, InvalidHashError):
        return False
    return secret_hash is not None
