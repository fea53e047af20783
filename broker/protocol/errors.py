"""The exception tree of the record protocol.

Every way a record can fail to decode (or a Record fail to construct) raises a subclass of
`RecordFormatError`, which is a `ValueError`, so callers that only care "is this a record?"
catch one class, and callers that answer the producer (a rejection, a dead-letter entry)
can tell the producer exactly what was wrong.

    RecordFormatError
    ├── OversizedRecordError     payload larger than the configured limit (checked before parsing)
    ├── MalformedJsonError       not UTF-8 JSON at all; carries line and column
    ├── RecordShapeError         JSON, but a field is missing, of the wrong type, or unknown
    ├── UnknownValueTypeError    `valueType` is not one Honeyflow knows
    └── InvalidIntentError       `intent` is not valid for the value type (or the record type)
"""

from __future__ import annotations


class RecordFormatError(ValueError):
    """Base of every protocol error: the bytes or values do not form a valid record."""


class OversizedRecordError(RecordFormatError):
    """The payload is larger than the limit; raised before any parsing is attempted."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"record of {size} bytes exceeds the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class MalformedJsonError(RecordFormatError):
    """The payload is not valid UTF-8 JSON. `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"malformed JSON at line {line}, column {column}: {message}")
        self.line = line
        self.column = column


class RecordShapeError(RecordFormatError):
    """Valid JSON of the wrong shape. `field` is a dotted path such as `value.retries`."""

    def __init__(self, field: str, expected: str, actual: str | None = None) -> None:
        detail = f"{field}: expected {expected}"
        if actual is not None:
            detail += f", got {actual}"
        super().__init__(detail)
        self.field = field
        self.expected = expected
        self.actual = actual


class UnknownValueTypeError(RecordFormatError):
    """`valueType` names no value type of the protocol."""

    def __init__(self, value_type: object) -> None:
        super().__init__(f"unknown valueType {value_type!r}")
        self.value_type = value_type


class InvalidIntentError(RecordFormatError):
    """The intent does not exist for the value type, or does not fit the record type
    (an event intent on a COMMAND, a command intent on an EVENT)."""

    def __init__(self, value_type: str, intent: object, reason: str | None = None) -> None:
        message = reason or f"intent {intent!r} is not valid for valueType {value_type}"
        super().__init__(message)
        self.value_type = value_type
        self.intent = intent
