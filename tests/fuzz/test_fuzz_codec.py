"""Fuzzing the command decoder (broker.protocol.codec): the records of the golden streams with
JSON edits (fields of another type, deleted, unknown, odd numbers) and byte edits, and random
bytes. decode_record returns a Record or raises RecordFormatError; a decoded record encodes
again and decodes to the same record; the commands topic's intake (read_command) never falls
back to its "undecodable" safety net."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from broker.protocol import RecordFormatError, decode_record, encode_record
from processors.kafka.command_intake import DeadLetter, read_command
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import assert_not_a_defect, saving
from tests.fuzz.seeds import golden_records
from tests.fuzz.strategies import Blob, Seeds, mutated_bytes, mutated_json

_RECORDS = golden_records()
_ENCODED = Seeds(json.dumps(r).encode() for r in _RECORDS)
_MAX_BYTES = 64 * 1024


def _dumps(obj: Any) -> Blob:
    return Blob(json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass"))


payloads = st.one_of(
    mutated_json(_RECORDS).map(_dumps),
    mutated_bytes(_ENCODED),
    st.binary(max_size=200).map(Blob),
    st.sampled_from(
        [b"", b"null", b"[]", b"{}", b'"x"', b"1e999999", b"[" * 5000 + b"]" * 5000]
    ).map(Blob),
)


def check_decodes(data: bytes) -> None:
    with saving("codec", data), deadline():
        outcome = read_command(data, (), 1, _MAX_BYTES, 3)
        if isinstance(outcome, DeadLetter):
            assert_not_a_defect(outcome.reason)
        try:
            record = decode_record(data, max_bytes=_MAX_BYTES)
        except RecordFormatError as error:
            assert str(error)
            assert_not_a_defect(str(error))
            return
        again = encode_record(record)
        assert decode_record(again) == record, "a decoded record does not survive encoding"
        assert encode_record(decode_record(again)) == again, "encoding is not deterministic"


@fuzz_settings()
@given(payloads)
def _decode(data: bytes) -> None:
    check_decodes(data)


def test_fuzz_command_decoder() -> None:
    fuzz(_decode)
