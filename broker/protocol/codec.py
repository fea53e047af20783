"""The JSON codec of records: `encode_record` and `decode_record`.

A record travels as compact UTF-8 JSON with the envelope keys in a fixed order (Zeebe's field
names) and every value field present, so equal records give equal bytes. Decoding checks the
size first, then parses with the stdlib `json`, then checks the shape field by field using the
per-class codecs in `value_codec.py`. Every failure is a `RecordFormatError` (see `errors.py`).

A COMMAND may omit what its producer cannot know (`position`, `sourceRecordPosition`, `key`,
`timestamp`, `partitionId`, `recordVersion`, `brokerVersion`, the rejection fields, and any
value field); decoding fills the defaults. An EVENT or COMMAND_REJECTION must carry the whole
envelope.
"""

from __future__ import annotations

import json
from typing import Any, Final

from broker.protocol.errors import (
    MalformedJsonError,
    OversizedRecordError,
    RecordShapeError,
    UnknownValueTypeError,
)
from broker.protocol.intents import parse_intent
from broker.protocol.record import CURRENT_RECORD_VERSION, Record
from broker.protocol.record_types import RecordType
from broker.protocol.rejection_types import RejectionType
from broker.protocol.value_codec import ValueCodec, codec_for, json_type_name
from broker.protocol.value_types import ValueType
from broker.protocol.values import VALUE_CLASSES, RecordValue

try:  # optional at import: without it every record takes the stdlib encoder (same bytes)
    import orjson
except ImportError:  # pragma: no cover - orjson is a pinned dependency
    orjson = None  # type: ignore[assignment]

DEFAULT_MAX_RECORD_BYTES: Final = 1024 * 1024
"""1 MiB: the largest record `decode_record` accepts unless told otherwise (Kafka's default
`max.message.bytes` is about the same)."""

ENVELOPE_FIELDS: Final = (
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
)
"""The envelope's JSON keys, in the order `encode_record` writes them."""

PRINCIPAL_FIELD: Final = "principal"
"""The envelope's one optional key, written after `value` only when the record has a
principal (the engine checks signed commands): records of an engine that does not stay
byte for byte as they were."""

_ENVELOPE_SET: Final = frozenset((*ENVELOPE_FIELDS, PRINCIPAL_FIELD))
_MISSING: Final = object()

# Integer envelope fields and what a COMMAND that omits them gets.
_INT_FIELDS: Final = (
    ("position", -1),
    ("sourceRecordPosition", -1),
    ("key", -1),
    ("timestamp", -1),
    ("partitionId", -1),
    ("recordVersion", CURRENT_RECORD_VERSION),
)

_RECORD_TYPES: Final = {t.value: t for t in RecordType}
_REJECTION_TYPES: Final = {t.value: t for t in RejectionType}
_VALUE_TYPES: Final = {t.value: t for t in ValueType}
_VALUE_CODECS: Final[dict[ValueType, ValueCodec[RecordValue]]] = {
    value_type: codec_for(cls) for value_type, cls in VALUE_CLASSES.items()
}

_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
)


def record_to_json(record: Record[Any]) -> dict[str, Any]:
    """The JSON object of `record` (before serialisation), keys in canonical order."""
    obj = {
        "position": record.position,
        "sourceRecordPosition": record.source_record_position,
        "key": record.key,
        "timestamp": record.timestamp,
        "recordType": record.record_type.value,
        "valueType": record.value_type.value,
        "intent": record.intent.value,
        "partitionId": record.partition_id,
        "rejectionType": record.rejection_type.value,
        "rejectionReason": record.rejection_reason,
        "recordVersion": record.record_version,
        "brokerVersion": record.broker_version,
        "value": _VALUE_CODECS[record.value_type].encode(record.value),
    }
    if record.principal:
        obj[PRINCIPAL_FIELD] = record.principal
    return obj


def encode_record(record: Record[Any], *, max_bytes: int | None = None) -> bytes:
    """`record` as compact UTF-8 JSON. With `max_bytes`, a larger result raises
    `OversizedRecordError` (the engine turns that into EXCEEDED_BATCH_RECORD_SIZE).

    The bytes are the stdlib encoder's (`_ENCODER`); orjson writes them, about five times
    faster, when the record's JSON documents (variables, headers) hold only strings, ints,
    booleans, nulls, objects with string keys and arrays: there both write the same bytes
    (checked for every character, `tests/protocol/test_codec.py`). A float (orjson writes
    `1e-7` where Python writes `1e-07`), NaN (orjson writes null, the codec refuses it) or any
    other type goes to the stdlib encoder, and so does an int beyond 64 bits (orjson refuses)."""
    obj = record_to_json(record)
    if orjson is not None and _VALUE_CODECS[record.value_type].plain_documents(obj["value"]):
        try:
            data = orjson.dumps(obj)
        except orjson.JSONEncodeError:
            data = _encode_stdlib(obj)
    else:
        data = _encode_stdlib(obj)
    if max_bytes is not None and len(data) > max_bytes:
        raise OversizedRecordError(len(data), max_bytes)
    return data


def _encode_stdlib(obj: dict[str, Any]) -> bytes:
    try:
        return _ENCODER.encode(obj).encode("utf-8")
    except (TypeError, ValueError) as error:
        # Variables holding NaN, sets, Decimals, ...: not representable as JSON.
        raise RecordShapeError("value", "JSON-serialisable values", str(error)) from None


def decode_record(
    data: bytes | bytearray | str, *, max_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Record[Any]:
    """The record in `data` (UTF-8 JSON). Raises a `RecordFormatError` subclass."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise OversizedRecordError(size, max_bytes)
    try:
        # Strict UTF-8 (json.loads of bytes would let UTF-16 and encoded surrogates through).
        text = data if isinstance(data, str) else bytes(data).decode("utf-8-sig")
        obj = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as error:
        raise MalformedJsonError(error.msg, error.lineno, error.colno) from None
    except UnicodeDecodeError as error:
        raw = bytes(data) if not isinstance(data, str) else data.encode("utf-8")
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise MalformedJsonError(f"invalid UTF-8 ({error.reason})", line, column) from None
    except RecursionError:  # `[[[[...` thousands deep: the stdlib parser recurses
        raise RecordShapeError(
            "(record)", "JSON nested less deeply", "arrays or objects nested too deeply"
        ) from None
    may_hold_surrogates = "\\u" in text or isinstance(data, str)
    if may_hold_surrogates and (where := _lone_surrogate(obj)) is not None:
        # `"\ud800"`: valid JSON escapes, but no UTF-8 can carry half a UTF-16 pair, so the
        # record could never be written back (its rejection neither).
        raise RecordShapeError(where, "text without unpaired UTF-16 surrogates (\\ud800-\\udfff)")
    try:
        return record_from_json(obj)
    except RecursionError:  # nesting json.loads allowed, deeper than the shape checks can go
        raise RecordShapeError(
            "value", "JSON nested less deeply", "arrays or objects nested too deeply"
        ) from None


def _lone_surrogate(obj: Any, path: str = "(record)") -> str | None:
    """The path of the first string (or key) in `obj` holding an unpaired surrogate."""
    stack = [(obj, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and any("\ud800" <= c <= "\udfff" for c in item):
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                if not key.isascii() and any("\ud800" <= c <= "\udfff" for c in key):
                    return where
                stack.append((child, key if where == "(record)" else f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return None


def _not_json(token: str) -> Any:
    # Python's json reads NaN and ±Infinity; JSON has no such numbers, and a record holding
    # one could not be written back (the encoder refuses them).
    raise RecordShapeError("(record)", "standard JSON numbers", token)


def record_from_json(obj: Any) -> Record[Any]:
    """The record held by an already parsed JSON object."""
    if type(obj) is not dict:
        raise RecordShapeError("(record)", "a JSON object", json_type_name(obj))
    if not _ENVELOPE_SET.issuperset(obj):
        unknown = sorted(set(obj) - _ENVELOPE_SET)[0]
        raise RecordShapeError(
            unknown,
            f"no such envelope field (known: {', '.join((*ENVELOPE_FIELDS, PRINCIPAL_FIELD))})",
        )

    record_type = _enum_field(obj, "recordType", _RECORD_TYPES)
    raw_value_type = _required(obj, "valueType")
    if type(raw_value_type) is not str:
        raise RecordShapeError("valueType", "string", json_type_name(raw_value_type))
    value_type = _VALUE_TYPES.get(raw_value_type)
    if value_type is None:
        raise UnknownValueTypeError(raw_value_type)
    raw_intent = _required(obj, "intent")
    if type(raw_intent) is not str:
        raise RecordShapeError("intent", "string", json_type_name(raw_intent))
    intent = parse_intent(value_type, raw_intent)

    # Only a command may leave out what its producer cannot know.
    lenient = record_type is RecordType.COMMAND
    ints: dict[str, int] = {}
    for name, default in _INT_FIELDS:
        raw = obj.get(name, _MISSING)
        if raw is _MISSING:
            if not lenient:
                raise _missing(name, record_type)
            ints[name] = default
        elif type(raw) is int:
            ints[name] = raw
        else:
            raise RecordShapeError(name, "integer", json_type_name(raw))

    raw_rejection = obj.get("rejectionType", _MISSING)
    if raw_rejection is _MISSING:
        if not lenient:
            raise _missing("rejectionType", record_type)
        rejection_type = RejectionType.NULL_VAL
    else:
        rejection_type = _enum_field(obj, "rejectionType", _REJECTION_TYPES)
    rejection_reason = _string_field(obj, "rejectionReason", "" if lenient else None, record_type)
    broker_version = _string_field(obj, "brokerVersion", "" if lenient else None, record_type)
    principal = _string_field(obj, PRINCIPAL_FIELD, "", record_type)

    raw_value = obj.get("value", _MISSING)
    codec = _VALUE_CODECS[value_type]
    value = (
        codec.cls()
        if raw_value is _MISSING and lenient
        else codec.decode(_required(obj, "value"), "value")
    )

    return Record(
        position=ints["position"],
        source_record_position=ints["sourceRecordPosition"],
        key=ints["key"],
        timestamp=ints["timestamp"],
        record_type=record_type,
        value_type=value_type,
        intent=intent,
        partition_id=ints["partitionId"],
        rejection_type=rejection_type,
        rejection_reason=rejection_reason,
        record_version=ints["recordVersion"],
        broker_version=broker_version,
        value=value,
        principal=principal,
    )


def _required(obj: dict[str, Any], name: str) -> Any:
    raw = obj.get(name, _MISSING)
    if raw is _MISSING:
        raise RecordShapeError(name, "a value (the field is required)", "nothing")
    return raw


def _missing(name: str, record_type: RecordType) -> RecordShapeError:
    return RecordShapeError(name, f"a value (required in every {record_type.value})", "nothing")


def _enum_field(obj: dict[str, Any], name: str, members: dict[str, Any]) -> Any:
    raw = _required(obj, name)
    member = members.get(raw) if type(raw) is str else None
    if member is None:
        actual = repr(raw) if type(raw) is str else json_type_name(raw)
        raise RecordShapeError(name, f"one of {', '.join(members)}", actual)
    return member


def _string_field(
    obj: dict[str, Any], name: str, default: str | None, record_type: RecordType
) -> str:
    raw = obj.get(name, _MISSING)
    if raw is _MISSING:
        if default is None:
            raise _missing(name, record_type)
        return default
    if type(raw) is not str:
        raise RecordShapeError(name, "string", json_type_name(raw))
    return raw
