"""The codec: every record kind round-trips, and every malformed input names its fault."""

from __future__ import annotations

import json
from typing import Any

import pytest

from broker.protocol import (
    InvalidIntentError,
    MalformedJsonError,
    OversizedRecordError,
    Record,
    RecordShapeError,
    RecordType,
    RejectionType,
    UnknownValueTypeError,
    ValueType,
    command_intents,
    decode_record,
    encode_record,
    event_intents,
    value_class_for,
)
from broker.protocol.intents import Intent, JobIntent
from broker.protocol.values import JobRecordValue, ProcessInstanceRecordValue

from .samples import SAMPLES


def every_record() -> list[Record[Any]]:
    """Every value type × intent, as command, rejection or event as Zeebe allows."""
    records: list[Record[Any]] = []
    for value_type, value in SAMPLES.items():
        for intent in command_intents(value_type):
            command = Record.command(
                intent, value, key=2251799813685300, partition_id=1, timestamp=1, position=10
            )
            records.append(command)
            records.append(command.reject(RejectionType.NOT_FOUND, "no such thing", timestamp=2))
        for event_intent in event_intents(value_type):
            records.append(
                Record.event(
                    event_intent,
                    value,
                    key=2251799813685300,
                    partition_id=1,
                    timestamp=1700000000000,
                    source_record_position=10,
                    position=11,
                )
            )
    return records


EVERY_RECORD = every_record()


def _id(record: Record[Any]) -> str:
    return f"{record.value_type}.{record.intent}.{record.record_type}"


def test_every_value_type_and_intent_is_covered() -> None:
    covered = {(r.value_type, r.intent) for r in EVERY_RECORD}
    assert covered == {
        (vt, i) for vt in ValueType for i in (*command_intents(vt), *event_intents(vt))
    }


@pytest.mark.parametrize("record", EVERY_RECORD, ids=_id)
def test_record_round_trips_to_an_equal_record(record: Record[Any]) -> None:
    data = encode_record(record)
    assert decode_record(data) == record
    # Canonical: encoding the decoded record gives the very same bytes.
    assert encode_record(decode_record(data)) == data


def test_encoding_is_compact_utf8_with_envelope_in_zeebe_order() -> None:
    value = JobRecordValue(type="zahlung", variables={"name": "Müller"})
    data = encode_record(Record.command(JobIntent.COMPLETE, value, key=5))
    assert b" " not in data.replace(b"<default>", b"")
    assert "Müller".encode() in data
    assert list(json.loads(data)) == [
        "position",
        "sourceRecordPosition",
        "key",
        "timestamp",
        "recordType",
        "valueType",
        "intent",
        "partitionId",
        "rejectionType",
        "rejectionReason",
        "recordVersion",
        "brokerVersion",
        "value",
    ]


def test_rejection_points_back_at_its_command() -> None:
    command = Record.command(JobIntent.COMPLETE, JobRecordValue(), key=7, position=99)
    rejection = command.reject(RejectionType.NOT_FOUND, "job 7 does not exist")
    assert rejection.record_type is RecordType.COMMAND_REJECTION
    assert (rejection.key, rejection.intent, rejection.value) == (7, command.intent, command.value)
    assert rejection.source_record_position == 99
    assert json.loads(encode_record(rejection))["rejectionReason"] == "job 7 does not exist"


def test_minimal_command_from_another_language_gets_defaults() -> None:
    data = (
        b'{"recordType":"COMMAND","valueType":"JOB","intent":"COMPLETE",'
        b'"key":2251799813685270,"value":{"variables":{"ok":true}}}'
    )
    record = decode_record(data)
    assert record.key == 2251799813685270
    assert (record.position, record.timestamp, record.partition_id) == (-1, -1, -1)
    assert record.rejection_type is RejectionType.NULL_VAL
    assert record.record_version == 1
    assert record.value == JobRecordValue(variables={"ok": True})
    assert record.value.retries == -1 and record.value.tenant_id == "<default>"


@pytest.mark.parametrize(
    "field",
    [
        "position",
        "key",
        "timestamp",
        "partitionId",
        "brokerVersion",
        "rejectionType",
        "recordVersion",
    ],
)
def test_event_must_carry_the_whole_envelope(field: str) -> None:
    full = json.loads(encode_record(EVERY_RECORD[-1]))
    assert full["recordType"] == "EVENT"
    del full[field]
    with pytest.raises(RecordShapeError) as error:
        decode_record(json.dumps(full).encode())
    assert error.value.field == field
    assert "required in every EVENT" in str(error.value)


def test_malformed_json_names_line_and_column() -> None:
    data = b'{\n  "recordType": "COMMAND",\n  "valueType": "JOB",\n  "intent": COMPLETE\n}'
    with pytest.raises(MalformedJsonError) as error:
        decode_record(data)
    assert (error.value.line, error.value.column) == (4, 13)
    assert "line 4, column 13" in str(error.value)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_numbers(token: str) -> None:
    data = (
        '{"recordType": "COMMAND", "valueType": "JOB", "intent": "COMPLETE",'
        f' "value": {{"variables": {{"x": [1, {token}]}}}}}}'
    )
    with pytest.raises(RecordShapeError) as error:
        decode_record(data.encode())
    assert error.value.actual == token
    assert "standard JSON numbers" in str(error.value)


def test_invalid_utf8_is_malformed_json_with_position() -> None:
    with pytest.raises(MalformedJsonError) as error:
        decode_record(b'{"a":\n "\xff"}')
    assert error.value.line == 2


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        ({"retries": "3"}, "value.retries", "integer"),
        ({"retries": True}, "value.retries", "integer"),
        ({"customHeaders": {"a": 1}}, "value.customHeaders", "object of strings"),
        ({"variables": [1]}, "value.variables", "object"),
        ({"retriez": 3}, "value.retriez", "no such field"),
    ],
)
def test_wrong_shape_names_the_field(value: dict[str, Any], field: str, expected: str) -> None:
    data = json.dumps(
        {"recordType": "COMMAND", "valueType": "JOB", "intent": "FAIL", "value": value}
    ).encode()
    with pytest.raises(RecordShapeError) as error:
        decode_record(data)
    assert error.value.field == field
    assert expected in str(error.value)


def test_wrong_shape_in_nested_value_names_the_path() -> None:
    data = json.dumps(
        {
            "recordType": "COMMAND",
            "valueType": "DEPLOYMENT",
            "intent": "CREATE",
            "value": {"resources": [{"resourceName": "a.bpmn", "resource": "not base64!"}]},
        }
    ).encode()
    with pytest.raises(RecordShapeError) as error:
        decode_record(data)
    assert error.value.field == "value.resources[0].resource"


@pytest.mark.parametrize(
    ("envelope", "field"),
    [
        ({"recordType": "EVENTS"}, "recordType"),
        ({"key": "1"}, "key"),
        ({"valueType": 3}, "valueType"),
        ({"colour": "red"}, "colour"),
        ({"value": []}, "value"),
    ],
)
def test_wrong_envelope_shape_names_the_field(envelope: dict[str, Any], field: str) -> None:
    obj = {"recordType": "COMMAND", "valueType": "JOB", "intent": "COMPLETE", **envelope}
    with pytest.raises(RecordShapeError) as error:
        decode_record(json.dumps(obj).encode())
    assert error.value.field == field


def test_not_an_object_is_a_shape_error() -> None:
    with pytest.raises(RecordShapeError, match="a JSON object"):
        decode_record(b"[1, 2]")


def test_unknown_value_type_is_rejected() -> None:
    with pytest.raises(UnknownValueTypeError, match="AUTHORIZATION"):
        decode_record(b'{"recordType":"COMMAND","valueType":"AUTHORIZATION","intent":"CREATE"}')


def test_unknown_intent_is_rejected_naming_the_value_type() -> None:
    with pytest.raises(InvalidIntentError) as error:
        decode_record(b'{"recordType":"COMMAND","valueType":"TIMER","intent":"COMPLETE"}')
    assert error.value.value_type == "TIMER"
    assert "valueType TIMER" in str(error.value)
    assert "TRIGGER" in str(error.value)  # lists what is valid


@pytest.mark.parametrize(
    ("record_type", "intent"),
    [("EVENT", "COMPLETE"), ("COMMAND", "COMPLETED"), ("COMMAND_REJECTION", "COMPLETED")],
)
def test_intent_must_fit_the_record_type(record_type: str, intent: str) -> None:
    full = json.loads(encode_record(EVERY_RECORD[-1]))
    full.update(
        recordType=record_type,
        valueType="JOB",
        intent=intent,
        value={},
        rejectionType="NOT_FOUND" if record_type == "COMMAND_REJECTION" else "NULL_VAL",
    )
    with pytest.raises(InvalidIntentError, match="JOB"):
        decode_record(json.dumps(full).encode())


def test_rejection_needs_a_rejection_type_and_others_must_not_have_one() -> None:
    with pytest.raises(RecordShapeError) as error:
        decode_record(
            b'{"recordType":"COMMAND","valueType":"JOB","intent":"COMPLETE","rejectionType":"NOT_FOUND"}'
        )
    assert error.value.field == "rejectionType"
    command = Record.command(JobIntent.COMPLETE, JobRecordValue())
    with pytest.raises(RecordShapeError):
        command.reject(RejectionType.NULL_VAL, "")


def test_oversized_payload_is_rejected_before_parsing() -> None:
    # Not even JSON: a parser would fail differently; the size check must come first.
    payload = b"{" * (1024 * 1024 + 1)
    with pytest.raises(OversizedRecordError) as error:
        decode_record(payload)
    assert (error.value.size, error.value.limit) == (1024 * 1024 + 1, 1024 * 1024)


def test_size_limit_is_configurable() -> None:
    data = encode_record(EVERY_RECORD[0])
    with pytest.raises(OversizedRecordError):
        decode_record(data, max_bytes=len(data) - 1)
    assert decode_record(data, max_bytes=len(data)) == EVERY_RECORD[0]
    with pytest.raises(OversizedRecordError):
        encode_record(EVERY_RECORD[0], max_bytes=len(data) - 1)


def test_values_that_are_not_json_cannot_be_encoded() -> None:
    value = JobRecordValue(variables={"x": float("nan")})
    with pytest.raises(RecordShapeError, match="JSON-serialisable"):
        encode_record(Record.command(JobIntent.COMPLETE, value))


@pytest.mark.parametrize(
    ("intent", "value"),
    [
        (JobIntent.COMPLETE, ProcessInstanceRecordValue()),  # value of another type
    ],
)
def test_record_refuses_a_value_of_another_value_type(intent: Intent, value: Any) -> None:
    with pytest.raises(RecordShapeError, match="valueType JOB"):
        Record(record_type=RecordType.COMMAND, value_type=ValueType.JOB, intent=intent, value=value)


@pytest.mark.parametrize("value_type", list(ValueType), ids=str)
def test_default_values_round_trip(value_type: ValueType) -> None:
    value = value_class_for(value_type)()
    intents = command_intents(value_type)
    record: Record[Any] = (
        Record.command(intents[0], value)
        if intents
        else Record.event(event_intents(value_type)[0], value, key=-1, partition_id=1, timestamp=0)
    )
    assert decode_record(encode_record(record)) == record


def test_broker_version_is_the_package_version() -> None:
    from importlib import metadata

    from broker.protocol import BROKER_VERSION

    assert metadata.version("honeyflow") == BROKER_VERSION
