"""encode_record writes through orjson where that gives the stdlib encoder's exact bytes, and
through the stdlib encoder everywhere else (floats, NaN, big ints, other types)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from broker.protocol import Record, RecordShapeError, encode_record, record_to_json
from broker.protocol import codec as codec_module
from broker.protocol.intents import JobBatchIntent, JobIntent
from broker.protocol.values import JobBatchRecordValue, JobRecordValue

from .test_codec import EVERY_RECORD

orjson = pytest.importorskip("orjson")

_STDLIB = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
)


def _stdlib_bytes(record: Record[Any]) -> bytes:
    return _STDLIB.encode(record_to_json(record)).encode("utf-8")


def _complete(variables: dict[str, Any]) -> Record[Any]:
    return Record.command(JobIntent.COMPLETE, JobRecordValue(variables=variables), key=5)


class _Counting:
    """Stands in for the orjson module and counts the records it wrote."""

    JSONEncodeError = orjson.JSONEncodeError

    def __init__(self) -> None:
        self.calls = 0

    def dumps(self, obj: Any) -> bytes:
        self.calls += 1
        result: bytes = orjson.dumps(obj)
        return result


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> _Counting:
    fake = _Counting()
    monkeypatch.setattr(codec_module, "orjson", fake)
    return fake


@pytest.mark.parametrize("record", EVERY_RECORD, ids=lambda r: f"{r.value_type}.{r.intent}")
def test_every_record_kind_has_the_stdlib_bytes(record: Record[Any]) -> None:
    assert encode_record(record) == _stdlib_bytes(record)


def test_plain_records_are_written_by_orjson(counting: _Counting) -> None:
    jobs = JobBatchRecordValue(
        type="work",
        job_keys=(7,),
        jobs=(JobRecordValue(type="work", variables={"a": [1, "x", None, True, {"b": {}}]}),),
    )
    records = [
        _complete({"order": 1, "items": ["a", {"n": -(2**63)}], "ok": False, "none": None}),
        Record.event(
            JobBatchIntent.ACTIVATED, jobs, key=8, position=3, partition_id=1, timestamp=9
        ),
    ]
    for record in records:
        assert encode_record(record) == _stdlib_bytes(record)
    assert counting.calls == 2


def test_every_character_in_keys_and_strings_has_the_stdlib_bytes() -> None:
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for start in range(0, len(text), 4096):
        chunk = text[start : start + 4096]
        record = _complete({chunk: chunk, "k": [chunk]})
        assert encode_record(record) == _stdlib_bytes(record)


@pytest.mark.parametrize(
    "variables",
    [
        {"x": 1e-07},  # orjson would write 1e-7
        {"x": [0.5, 1e16]},
        {"x": 2**64},  # beyond 64 bits: orjson refuses
        {"x": {1: "int key"}},  # the stdlib writes "1"
        {"x": ("a", {"b": 1e-05})},
    ],
)
def test_floats_big_ints_and_other_keys_take_the_stdlib_encoder(
    variables: dict[str, Any],
) -> None:
    record = _complete(variables)
    assert encode_record(record) == _stdlib_bytes(record)
    assert json.loads(encode_record(record))["value"]["variables"] == json.loads(
        json.dumps(variables)
    )


def test_a_float_in_a_variable_is_written_as_python_writes_it() -> None:
    assert b'"variables":{"x":1e-07}' in encode_record(_complete({"x": 1e-07}))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("1.5"), {1, 2}, object()])
def test_values_that_are_not_json_are_refused_as_before(bad: Any, counting: _Counting) -> None:
    with pytest.raises(RecordShapeError, match="JSON-serialisable"):
        encode_record(_complete({"x": {"y": [bad]}}))
    assert counting.calls == 0


def test_a_lone_surrogate_is_refused_as_before() -> None:
    with pytest.raises(RecordShapeError, match="JSON-serialisable"):
        encode_record(_complete({"x": "\ud800"}))


def test_without_orjson_the_bytes_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [encode_record(record) for record in EVERY_RECORD]
    monkeypatch.setattr(codec_module, "orjson", None)
    assert [encode_record(record) for record in EVERY_RECORD] == expected
