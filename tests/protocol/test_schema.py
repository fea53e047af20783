"""The JSON Schema files: up to date with the code, and agreeing with the codec."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from broker.protocol import Record, encode_record
from broker.protocol.schema_gen import BASE_ID, SCHEMA_DIR, main, schema_files

from .test_codec import EVERY_RECORD, _id


def test_committed_schema_files_and_docs_are_up_to_date() -> None:
    # Fails when a value class changed without `python -m broker.protocol.schema_gen`.
    assert main(["--check"]) == 0


@cache
def record_validator() -> Draft202012Validator:
    # Load the committed files (what users get), resolving `$ref`s among them by `$id`.
    schemas = {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in SCHEMA_DIR.glob("*.schema.json")
    }
    registry: Registry[Any] = Registry().with_resources(
        (BASE_ID + name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas.items()
    )
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schemas["record.schema.json"], registry=registry)


def test_one_schema_file_per_value_type_plus_the_envelope() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")) == sorted(schema_files())


@pytest.mark.parametrize("record", EVERY_RECORD, ids=_id)
def test_every_encoded_record_validates(record: Record[Any]) -> None:
    errors = list(record_validator().iter_errors(json.loads(encode_record(record))))
    assert not errors, [e.message for e in errors]


def _command(**changes: Any) -> dict[str, Any]:
    return {"recordType": "COMMAND", "valueType": "JOB", "intent": "COMPLETE", **changes}


@pytest.mark.parametrize(
    "document",
    [
        _command(intent="COMPLETED"),  # an event intent on a command
        _command(intent="TRIGGER"),  # an intent of another value type
        _command(value={"retries": "3"}),
        _command(value={"retriez": 3}),
        _command(colour="red"),
        _command(rejectionType="NOT_FOUND"),
        {"recordType": "EVENT", "valueType": "JOB", "intent": "COMPLETED", "value": {}},
        _command(valueType="AUTHORIZATION"),
    ],
)
def test_schema_refuses_what_the_codec_refuses(document: dict[str, Any]) -> None:
    assert not record_validator().is_valid(document)


def test_minimal_command_validates() -> None:
    assert record_validator().is_valid(_command(key=2251799813685270, value={"variables": {}}))
