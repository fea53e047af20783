"""State values written to RocksDB and its changelog read back equal, whichever encoder wrote
them (orjson, or the stdlib's json where orjson refuses)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from broker.protocol.values import JobKind
from processors.kafka import rocks_store
from processors.kafka.rocks_store import RocksKeyValueStore

orjson = pytest.importorskip("orjson")

VALUES: list[Any] = [
    {"k": 1, "s": "text ü \u2028 \x00", "l": [1, None, True, False], "n": {"deep": {}}},
    [1.5, 1e-07, 1e16, -0.0, 5e-324],
    2**64,  # orjson refuses ints beyond 64 bits: the stdlib writes it
    -(2**63),
    {"big": [2**70]},
    (1, "tuple"),
    JobKind.EXECUTION_LISTENER,  # enum members as their value, as the stdlib writes them
    "plain",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_values_read_back_as_the_stdlib_would_read_them(tmp_path: Path, value: Any) -> None:
    store = RocksKeyValueStore(tmp_path / "db")
    store.put("cf", b"k", value)
    changes = store.take_changes()
    store.apply(changes, None)
    store.close()
    expected = json.loads(json.dumps(value))
    assert [json.loads(data) for _, data in changes if data is not None] == [expected]
    reopened = RocksKeyValueStore(tmp_path / "db")
    assert reopened.get("cf", b"k") == expected
    reopened.close()


def test_state_values_are_written_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[Any] = []

    class Counting:
        JSONEncodeError = orjson.JSONEncodeError

        @staticmethod
        def dumps(value: Any) -> bytes:
            written.append(value)
            result: bytes = orjson.dumps(value)
            return result

    monkeypatch.setattr(rocks_store, "orjson", Counting)
    assert rocks_store._encode({"a": [1, "b"]}) == b'{"a":[1,"b"]}'
    assert written == [{"a": [1, "b"]}]
