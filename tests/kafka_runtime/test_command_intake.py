"""How the Kafka processor takes a command in, without Kafka: a message command (publish, or
correlate with a result) that landed on another partition than its correlation key's is
re-routed there; on its own partition it is processed."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record, encode_record
from broker.protocol.intents import MessageCorrelationIntent, MessageIntent
from broker.protocol.values import MessageCorrelationRecordValue, MessageRecordValue
from processors.engine.message_partition import message_partition
from processors.kafka.command_intake import Reroute, read_command

COMMANDS = [
    Record.command(MessageIntent.PUBLISH, MessageRecordValue(name="m", correlation_key="o-7")),
    Record.command(
        MessageCorrelationIntent.CORRELATE,
        MessageCorrelationRecordValue(name="m", correlation_key="o-7"),
    ),
]


@pytest.mark.parametrize("command", COMMANDS, ids=["publish", "correlate"])
def test_a_message_command_goes_to_the_partition_of_its_correlation_key(
    command: Record[Any],
) -> None:
    owner = message_partition("o-7", 3)
    elsewhere = next(p for p in (1, 2, 3) if p != owner)
    data = encode_record(command)
    assert read_command(data, [], elsewhere, 1 << 20, 3) == Reroute(owner)
    taken = read_command(data, [], owner, 1 << 20, 3)
    assert isinstance(taken, Record) and taken.intent is command.intent
