"""Fuzzing the intake of signed commands (broker.command_signing.CommandVerifier behind
processors.signed_intake.SignedIntake): the headers of a validly signed command with headers
dropped, duplicated, replaced by random bytes or huge values, the certificate and the signature
truncated or byte-mutated, certificates of odd JSON (non-UTF-8 names, deep nesting, wrong
types), and commands a real principal signed with odd request ids and signing times. Every
input ends in the principal or an `Unverified` naming the reason: an exception would reach the
partition's safety net (a PROCESSING_ERROR instead of a clear refusal)."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from broker.command_signing import (
    COMMAND_ID_HEADER,
    ON_BEHALF_OF_HEADER,
    PRINCIPAL_HEADER,
    REQUEST_ID_HEADER,
    SIGNATURE_HEADER,
    SIGNED_AT_HEADER,
    CommandVerifier,
    Signer,
    _payload,
    issue_certificate,
)
from broker.protocol.principal import Principal, Role, Unverified
from processors.engine.kv_store import InMemoryKeyValueStore
from processors.signed_intake import SignedIntake
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import saving
from tests.fuzz.strategies import Seeds, json_values, mutated_bytes

ADMIN = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
NOW = 1_765_000_000_000
VALUE = b'{"recordType":"COMMAND","valueType":"JOB","intent":"COMPLETE","key":1}'
SIGNERS = {
    role: Signer(
        KEY,
        issue_certificate(
            ADMIN, f"p-{role.value}", role, KEY.public_key(), job_types=("t",), tenants=("a",)
        ),
    )
    for role in (Role.WORKER, Role.GATEWAY, Role.OPERATOR)
}
_NAMES = (
    PRINCIPAL_HEADER,
    SIGNATURE_HEADER,
    SIGNED_AT_HEADER,
    ON_BEHALF_OF_HEADER,
    REQUEST_ID_HEADER,
    COMMAND_ID_HEADER,
)
_CERTIFICATES = Seeds(s.certificate for s in SIGNERS.values())
_SIGNATURES = Seeds(base64.b64encode(KEY.sign(bytes([n]))) for n in range(4))
Headers = list[tuple[str, bytes]]


def _signed(
    role: Role, request_id: bytes, signed_at: bytes, behalf: bytes, value: bytes
) -> Headers:
    """The headers a principal writes when it signs these bytes (a real signature)."""
    signature = KEY.sign(_payload(1, request_id, signed_at, behalf, value))
    headers = [
        (PRINCIPAL_HEADER, SIGNERS[role].certificate),
        (SIGNATURE_HEADER, base64.b64encode(signature)),
        (SIGNED_AT_HEADER, signed_at),
        (REQUEST_ID_HEADER, request_id),
    ]
    if behalf:
        headers.append((ON_BEHALF_OF_HEADER, behalf))
    return headers


def _certificate_json(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


odd_bytes = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"\xff\xfe",
            b"\xc3",
            b"\x00",
            b"0",
            b"-1",
            b"\xd9\xa3",  # ARABIC-INDIC DIGIT THREE: isdigit() in str, not in bytes
            b"1" * 5000,  # more digits than int() converts
            b"[" * 3000 + b"]" * 3000,
            b"9" * 20,
            b"A" * 100_000,
            b"null",
            b"{}",
        ]
    ),
)
odd_certificates = st.one_of(
    mutated_bytes(_CERTIFICATES),
    st.builds(lambda c, n: c[:n], st.sampled_from(_CERTIFICATES), st.integers(0, 400)),
    json_values.map(_certificate_json),
    st.fixed_dictionaries(
        {
            "name": st.one_of(st.text(max_size=10), json_values),
            "role": st.one_of(st.sampled_from([r.value for r in Role]), json_values),
            "jobTypes": json_values,
            "tenants": json_values,
            "publicKey": st.one_of(st.just(SIGNERS[Role.WORKER].certificate), json_values),
            "signature": st.one_of(st.sampled_from(_SIGNATURES), json_values),
        }
    ).map(
        lambda body: _certificate_json(
            {k: (v.decode() if isinstance(v, bytes) else v) for k, v in body.items()}
        )
    ),
    st.sampled_from([b'{"name":"\xff\xfe"}', b'{"name":"\\ud800"}', b"[" * 3000 + b"]" * 3000]),
)
header_values = st.one_of(odd_bytes, odd_certificates, mutated_bytes(_SIGNATURES))


@st.composite
def header_sets(draw: st.DrawFn) -> Headers:
    role = draw(st.sampled_from(sorted(SIGNERS, key=str)))
    headers = _signed(
        role,
        draw(st.one_of(st.just(b"r-1"), odd_bytes)),
        draw(
            st.one_of(
                st.just(str(NOW).encode()),
                odd_bytes,
                st.integers(-(10**30), 10**30).map(lambda n: str(n).encode()),
            )
        ),
        draw(st.one_of(st.just(b""), st.just(b"ann"), odd_bytes)),
        VALUE,
    )
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["drop", "replace", "add", "duplicate", "none"]))
        if op == "drop" and headers:
            headers.pop(draw(st.integers(0, len(headers) - 1)))
        elif op == "replace" and headers:
            index = draw(st.integers(0, len(headers) - 1))
            headers[index] = (headers[index][0], draw(header_values))
        elif op == "add":
            name = draw(st.one_of(st.sampled_from(_NAMES), st.text(max_size=20)))
            headers.append((name, draw(header_values)))
        elif op == "duplicate" and headers:
            headers.append(headers[draw(st.integers(0, len(headers) - 1))])
    return headers


def check_intake(headers: Headers, value: bytes, partitions: tuple[int, ...]) -> None:
    intake = SignedIntake(CommandVerifier(ADMIN.public_key()), InMemoryKeyValueStore())
    with saving("signing", repr((headers, value, partitions))), deadline():
        for _ in range(2):  # the second time from the verifier's cache, and a replay
            sender = intake.check(value, headers, partitions, NOW)
            assert isinstance(sender, Principal | Unverified), sender
            if isinstance(sender, Unverified):
                assert sender.reason, "a refusal without a reason"
                assert isinstance(sender.claimed, str)


@fuzz_settings()
@given(
    header_sets(),
    st.one_of(st.just(VALUE), st.binary(max_size=100)),
    st.one_of(st.just((1,)), st.tuples(st.just(1), st.integers(0, 2**31))),
)
def _intake(headers: Headers, value: bytes, partitions: tuple[int, ...]) -> None:
    check_intake(headers, value, partitions)


def test_fuzz_signed_command_intake() -> None:
    fuzz(_intake)
