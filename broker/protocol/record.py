"""The record envelope: one command, event or rejection, with its typed value.

Everything Honeyflow writes to Kafka is a `Record`. Its fields are those of Zeebe's exported
JSON (`position`, `key`, `recordType`, `valueType`, `intent`, ...); `codec.py` maps them to
camelCase. Construction checks that value type, value class, intent and record type agree,
so an inconsistent record cannot exist in memory, let alone reach the log.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from broker.protocol.errors import InvalidIntentError, RecordShapeError
from broker.protocol.fast_init import fast_init, unchecked_builder
from broker.protocol.intents import Intent, intents_for
from broker.protocol.keys import NO_KEY
from broker.protocol.record_types import RecordType
from broker.protocol.rejection_types import RejectionType
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue

BROKER_VERSION = "0.1.0"
"""The Honeyflow version written into `brokerVersion` of the records it produces. A constant,
not read from package metadata, so importing the protocol does no I/O (the engine core imports
it); a test keeps it equal to the installed package version."""

CURRENT_RECORD_VERSION = 1
"""The version of every record shape today; raised per intent when its value changes
incompatibly, so readers (and replay) can tell old records from new ones."""

V = TypeVar("V", bound=RecordValue)
_CHECKED_SHAPES: set[tuple[object, ...]] = set()
W = TypeVar("W", bound=RecordValue)


@fast_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Record(Generic[V]):
    """A command, event or command rejection. Build with `Record.command`, `Record.event`
    and `record.reject`; all fields are keyword-only."""

    position: int = -1
    """Position of the record in its partition's log; `-1` until written."""
    source_record_position: int = -1
    """Position of the command whose processing wrote this record; `-1` for commands from
    outside the engine."""
    key: int = NO_KEY
    """The key of the entity the record is about (job, element instance, ...), `-1` if none."""
    timestamp: int = -1
    """Epoch milliseconds when the record was written; `-1` until stamped."""
    record_type: RecordType
    value_type: ValueType
    intent: Intent
    partition_id: int = -1
    """The partition (1-based) whose log holds the record; `-1` until known."""
    rejection_type: RejectionType = RejectionType.NULL_VAL
    rejection_reason: str = ""
    record_version: int = CURRENT_RECORD_VERSION
    broker_version: str = BROKER_VERSION
    value: V
    principal: str = ""
    """Who sent the command this record is or follows from, when the engine checks signed
    commands (docs/security.md, "Who sent a command"): the principal's name, and the end user
    a gateway spoke for as `gateway (for alice)`. Empty when the engine does not check
    signatures, and on what time or the engine itself started."""

    def __post_init__(self) -> None:
        # Shapes already checked pass with one set lookup: the engine writes tens of records
        # per instance, and the full check below cost ~7% of its time.
        # The intent's enum too: intents of different value types compare equal as strings.
        shape = (
            type(self.value),
            self.value_type,
            type(self.intent),
            self.intent,
            self.record_type,
            self.rejection_type,
            self.record_version,
        )
        if shape in _CHECKED_SHAPES:
            return
        self._check_shape()
        if len(_CHECKED_SHAPES) < 4096:
            _CHECKED_SHAPES.add(shape)

    def _check_shape(self) -> None:
        value_type = self.value_type
        if getattr(type(self.value), "VALUE_TYPE", None) is not value_type:
            raise RecordShapeError(
                "value",
                f"a value of valueType {value_type}",
                type(self.value).__name__,
            )
        intent = self.intent
        if type(intent) is not intents_for(value_type):
            raise InvalidIntentError(value_type.value, intent)
        if self.record_type is RecordType.EVENT:
            if not intent.is_event:
                raise InvalidIntentError(
                    value_type.value,
                    intent,
                    f"{value_type}.{intent} is a command intent; an EVENT needs an event intent",
                )
        elif not intent.is_command:
            raise InvalidIntentError(
                value_type.value,
                intent,
                f"{value_type}.{intent} is an event intent; a {self.record_type} needs a"
                " command intent",
            )
        rejected = self.record_type is RecordType.COMMAND_REJECTION
        if rejected == (self.rejection_type is RejectionType.NULL_VAL):
            raise RecordShapeError(
                "rejectionType",
                "a rejection type other than NULL_VAL"
                if rejected
                else "NULL_VAL (only a COMMAND_REJECTION carries a rejection type)",
                self.rejection_type.value,
            )
        if self.record_version < 1:
            raise RecordShapeError("recordVersion", "an integer >= 1", str(self.record_version))

    @property
    def is_command(self) -> bool:
        return self.record_type is RecordType.COMMAND

    @property
    def is_event(self) -> bool:
        return self.record_type is RecordType.EVENT

    @property
    def is_rejection(self) -> bool:
        return self.record_type is RecordType.COMMAND_REJECTION

    @staticmethod
    def command(
        intent: Intent,
        value: W,
        *,
        key: int = NO_KEY,
        partition_id: int = -1,
        timestamp: int = -1,
        position: int = -1,
        source_record_position: int = -1,
    ) -> Record[W]:
        """A command; the value type is the value's."""
        return Record(
            record_type=RecordType.COMMAND,
            value_type=value.VALUE_TYPE,
            intent=intent,
            value=value,
            key=key,
            partition_id=partition_id,
            timestamp=timestamp,
            position=position,
            source_record_position=source_record_position,
        )

    @staticmethod
    def event(
        intent: Intent,
        value: W,
        *,
        key: int,
        partition_id: int,
        timestamp: int,
        source_record_position: int = -1,
        position: int = -1,
        record_version: int = CURRENT_RECORD_VERSION,
    ) -> Record[W]:
        """An event about the entity `key`, written while processing the command at
        `source_record_position`."""
        return Record(
            record_type=RecordType.EVENT,
            value_type=value.VALUE_TYPE,
            intent=intent,
            value=value,
            key=key,
            partition_id=partition_id,
            timestamp=timestamp,
            source_record_position=source_record_position,
            position=position,
            record_version=record_version,
        )

    def reject(
        self, rejection_type: RejectionType, reason: str, *, timestamp: int | None = None
    ) -> Record[V]:
        """The rejection of this command: same key, intent and value, pointing back at it."""
        if self.record_type is not RecordType.COMMAND:
            raise ValueError(f"only a COMMAND can be rejected, not a {self.record_type}")
        return dataclasses.replace(
            self,
            record_type=RecordType.COMMAND_REJECTION,
            rejection_type=rejection_type,
            rejection_reason=reason,
            source_record_position=self.position,
            position=-1,
            timestamp=self.timestamp if timestamp is None else timestamp,
            broker_version=BROKER_VERSION,
        )


build_unchecked_record: Any = unchecked_builder(
    Record,
    (
        "record_type",
        "value_type",
        "intent",
        "value",
        "key",
        "partition_id",
        "timestamp",
        "source_record_position",
        "position",
        "principal",
    ),
)
"""`build_unchecked_record(record_type, value_type, intent, value, key, partition_id, timestamp,
source_record_position, position, principal)`: a COMMAND or EVENT record (rejection type
NULL_VAL, the current record version) without the shape check. Only for writers that build
each shape once through `Record(...)` first (see `processors/engine/results.py`)."""
