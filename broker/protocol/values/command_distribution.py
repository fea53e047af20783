"""Values of command distribution: sending a command to every other partition until each
acknowledges it (at-least-once across partitions, e.g. for deployments)."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.errors import UnknownValueTypeError
from broker.protocol.intents import parse_intent
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, prop


@dataclass(frozen=True, slots=True)
class CommandDistributionRecordValue(RecordValue):
    """One distributed command. The record's `key` is the distribution key, which the
    receiving partition echoes in its ACKNOWLEDGE."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.COMMAND_DISTRIBUTION
    SCHEMA_NAME: ClassVar[str] = "command-distribution"

    partition_id: int = prop("The partition the command is distributed to.", default=-1)
    queue_id: str = prop(
        "Commands of one queue are distributed one after the other; empty for none.", default=""
    )
    value_type: str = prop(
        "The `valueType` of the distributed command; empty when not carried.", default=""
    )
    intent: str = prop(
        "The `intent` of the distributed command; empty when not carried.", default=""
    )
    command_value: dict[str, Any] = prop(
        "The `value` of the distributed command, shaped as the record value of `valueType`.",
        factory=dict,
    )

    def __post_init__(self) -> None:
        # The wrapped command is kept as JSON, but its names must still be valid together.
        if self.value_type:
            try:
                value_type = ValueType(self.value_type)
            except ValueError:
                raise UnknownValueTypeError(self.value_type) from None
            if self.intent:
                parse_intent(value_type, self.intent)
