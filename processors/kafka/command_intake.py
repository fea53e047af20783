"""Reading a message of the commands topic: a command for the core, a rejection to write, or
a dead letter. Bad input never stops a partition.

Bytes that do not decode as a record (not JSON, wrong shape, unknown value type or intent,
oversized) cannot be answered with a rejection — there is no value type or intent to reject —
so they go to `<p>commands.dlq` with the reason. A record that decodes but cannot be processed
here (not a command, a key of another partition) becomes a rejection in the audit log. A
MESSAGE PUBLISH on the wrong partition is forwarded to its own (docs/wire-protocol.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from broker.protocol import (
    NO_KEY,
    OversizedRecordError,
    Record,
    RecordFormatError,
    RecordType,
    RejectionType,
    ValueType,
    decode_record,
)
from broker.protocol.intents import MessageCorrelationIntent, MessageIntent
from broker.protocol.keys import PARTITION_BITS
from processors.engine import Engine
from processors.engine.message_partition import message_partition
from processors.engine.results import ProcessingResult, ResultBuilder

REQUEST_ID_HEADER: Final = "honeyflow-request-id"
CLIENT_ID_HEADER: Final = "honeyflow-client-id"
REPLY_PARTITION_HEADER: Final = "honeyflow-reply-partition"
REROUTED_FROM_HEADER: Final = "honeyflow-rerouted-from"

Headers = tuple[tuple[str, bytes], ...]
# Commands about an entity that lives on the partition its key names. Commands between
# partitions (deployment distribution, its acknowledgement, message subscriptions) carry keys
# of their origin and are not checked.
_LOCAL_KEY_TYPES: Final = frozenset(
    {
        ValueType.JOB,
        ValueType.INCIDENT,
        ValueType.PROCESS_INSTANCE,
        ValueType.USER_TASK,
        ValueType.PROCESS_INSTANCE_MODIFICATION,
    }
)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    reason: str


@dataclass(frozen=True, slots=True)
class Reroute:
    """A command this partition does not own, forwarded unchanged to `partition_id`."""

    partition_id: int


@dataclass(frozen=True, slots=True)
class Rejected:
    command: Record[Any]
    rejection_type: RejectionType
    reason: str


_MESSAGE_COMMANDS: Final = frozenset(
    {
        (ValueType.MESSAGE, MessageIntent.PUBLISH),
        (ValueType.MESSAGE_CORRELATION, MessageCorrelationIntent.CORRELATE),
    }
)
"""Commands that belong on the partition of their correlation key (re-routed there)."""


def read_command(
    value: bytes | None,
    headers: Headers,
    partition_id: int,
    max_bytes: int,
    partition_count: int,
) -> Record[Any] | Rejected | DeadLetter | Reroute:
    if value is None:
        return DeadLetter("empty message (no value)")
    try:
        record = decode_record(value, max_bytes=max_bytes)
    except OversizedRecordError as error:
        return DeadLetter(f"oversized: {error}")
    except RecordFormatError as error:
        return DeadLetter(f"{type(error).__name__}: {error}")
    except Exception as error:  # a defect in the codec must not stop the partition either
        return DeadLetter(f"undecodable: {type(error).__name__}: {error}")
    if record.record_type is not RecordType.COMMAND:
        return Rejected(
            record,
            RejectionType.INVALID_ARGUMENT,
            f"Expected a command on the commands topic, but got a {record.record_type}",
        )
    if (
        record.value_type in _LOCAL_KEY_TYPES
        and record.key != NO_KEY
        and -(1 << 63) <= record.key < 1 << 63  # else the engine rejects it, naming the key
        and record.key >> PARTITION_BITS not in (0, partition_id)
    ):
        return Rejected(
            record,
            RejectionType.INVALID_ARGUMENT,
            f"Expected a command for partition {partition_id}, but key {record.key} belongs"
            f" to partition {record.key >> PARTITION_BITS}; send it to that partition",
        )
    if (record.value_type, record.intent) in _MESSAGE_COMMANDS:
        # A message must live where its subscriptions are opened (message_partition): one that
        # landed elsewhere could never correlate here, so it goes on to its partition.
        owner = message_partition(record.value.correlation_key, partition_count)
        if owner != partition_id:
            return Reroute(owner)
    return record


def rejection_result(
    engine: Engine, rejected: Rejected, now_ms: int, request_id: int | None
) -> ProcessingResult:
    """The command and its rejection as the core would write them (positions from the
    partition's counter), without running any processor."""
    builder = ResultBuilder(
        engine.partition_id, now_ms, engine.state.meta.next_position, lambda record: None
    )
    command = builder.append_command(rejected.command)
    rejection = builder.reject(command, rejected.rejection_type, rejected.reason)
    builder.respond(request_id, rejection)
    engine.state.store.commit()
    return builder.build()
