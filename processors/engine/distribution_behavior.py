"""Command distribution (Zeebe's CommandDistributionBehavior): a command processed on one
partition is sent, with the same key, to every other partition, which processes it
idempotently and acknowledges. COMMAND_DISTRIBUTION STARTED / DISTRIBUTING (one per partition)
on the sender; ACKNOWLEDGE back; ACKNOWLEDGED, and FINISHED after the last one.

At-least-once: a partition that has not acknowledged within DISTRIBUTION_RESEND_AFTER_MS gets
the command again. The due date checker writes the distributed command on the *sending*
partition (its key was made there, which is how its processor tells a re-send from a new or a
received command); the processor calls `resend`, which writes DISTRIBUTING again (the next
resend time) and sends it to each partition still pending.
"""

from __future__ import annotations

from typing import Any

from broker.protocol import Record, RejectionType, record_from_json, record_to_json
from broker.protocol.intents import CommandDistributionIntent
from broker.protocol.keys import decode_partition
from broker.protocol.values import CommandDistributionRecordValue
from processors.engine.context import ProcessingContext
from processors.engine.state import StateReaders


def origin_partition(key: int) -> int | None:
    """The partition that made `key`; None for no key (-1) or a malformed one."""
    try:
        return decode_partition(key)
    except ValueError:
        return None


def is_own_resend(ctx: ProcessingContext, command: Record[Any]) -> bool:
    """A distributed command written back on the partition that distributed it: a re-send."""
    return command.key != -1 and origin_partition(command.key) == ctx.partition_id


def _value(command: Record[Any], partition: int) -> CommandDistributionRecordValue:
    return CommandDistributionRecordValue(
        partition_id=partition,
        value_type=command.value_type.value,
        intent=command.intent.value,
        command_value=record_to_json(command)["value"],
    )


def distribute(ctx: ProcessingContext, command: Record[Any]) -> None:
    """Send `command` (its key is the distribution key) to every other partition."""
    if ctx.partition_count == 1:
        return
    key = command.key
    ctx.event(
        key,
        CommandDistributionIntent.STARTED,
        CommandDistributionRecordValue(
            partition_id=ctx.partition_id,
            value_type=command.value_type.value,
            intent=command.intent.value,
        ),
    )
    for partition in range(1, ctx.partition_count + 1):
        if partition != ctx.partition_id:
            ctx.event(key, CommandDistributionIntent.DISTRIBUTING, _value(command, partition))
            ctx.send(partition, command)


def resend(ctx: ProcessingContext, command: Record[Any]) -> None:
    """Send a distributed command again to the partitions that have not acknowledged it."""
    pending = ctx.state.distributions.pending_partitions(command.key)
    if not pending:  # acknowledged meanwhile (or a command that only looks like a re-send)
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to send {command.value_type.value} {command.intent.value} with key"
            f" '{command.key}' again, but no partition is waiting for it",
        )
        return
    for partition in pending:
        ctx.event(command.key, CommandDistributionIntent.DISTRIBUTING, _value(command, partition))
        ctx.send(partition, command)


def acknowledge(ctx: ProcessingContext, command: Record[Any]) -> None:
    """Tell the sender that this partition has processed a distributed command."""
    origin = origin_partition(command.key)
    if origin is None:
        return
    ctx.send(
        origin,
        Record.command(
            CommandDistributionIntent.ACKNOWLEDGE,
            CommandDistributionRecordValue(
                partition_id=ctx.partition_id,
                value_type=command.value_type.value,
                intent=command.intent.value,
            ),
            key=command.key,
        ),
    )


def distribution_due_commands(state: StateReaders, now_ms: int) -> list[Record[Any]]:
    """The distributed commands to send again (one per distribution key)."""
    commands: list[Record[Any]] = []
    for key in state.distributions.to_resend(now_ms):
        partitions = state.distributions.pending_partitions(key)
        stored = state.distributions.command(key, partitions[0]) if partitions else None
        if stored is None:
            continue
        commands.append(
            record_from_json(
                {
                    "recordType": "COMMAND",
                    "valueType": stored["valueType"],
                    "intent": stored["intent"],
                    "key": key,
                    "value": stored["value"],
                }
            )
        )
    return commands
