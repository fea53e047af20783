"""Commands whose processing failed in the Kafka layer: their outputs could not be turned into
Kafka records (a topic name, an encoding, a job topic Kafka would not create).

The core never raises, but what the runtime does with its result can. Such a failure must not
stop the partition: the batch is processed again from its committed state, the failed command
rejected (PROCESSING_ERROR, naming the command and the cause) instead of processed. A command
whose rejection fails too goes to the dead-letter topic; a command time called for (a due
date) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from broker.protocol import Record

CommandId = tuple[str, int]
"""("offset", offset of the message) or ("due", index among the batch's due commands)."""


def message_id(offset: int) -> CommandId:
    return ("offset", offset)


def due_id(index: int) -> CommandId:
    return ("due", index)


@dataclass(frozen=True, slots=True)
class Failure:
    reason: str
    attempts: int = 1
    """1: reject the command; more: its rejection failed as well."""


class CommandsFailed(Exception):
    """Raised out of processing a batch; `reasons` by the command that failed."""

    def __init__(self, reasons: dict[CommandId, str]) -> None:
        super().__init__("; ".join(reasons.values()))
        self.reasons = reasons


def failure_reason(command: Record[Any], cause: str) -> str:
    return (
        f"Expected to process {command.value_type} {command.intent} with key"
        f" '{command.key}', but writing its results to Kafka failed: {cause}"
    )


def remember(failed: dict[CommandId, Failure], error: CommandsFailed) -> None:
    """Add the failures of `error` to `failed`, counting repeated ones."""
    for command_id, reason in error.reasons.items():
        previous = failed.get(command_id)
        failed[command_id] = Failure(reason, previous.attempts + 1 if previous else 1)
