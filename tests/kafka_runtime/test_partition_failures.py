"""A partition's processing when the Kafka layer cannot write a command's results (no broker
needed): the command fails with its reason, and processed again it is rejected; a due
command is rejected once and then left out (processors/kafka/failed_commands.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from broker.protocol import Record, RecordType, ValueType
from broker.topics import TopicSettings
from processors.kafka import partition_processor
from processors.kafka.failed_commands import CommandsFailed, Failure, due_id, message_id
from processors.kafka.partition_processor import Batch, PartitionProcessor
from processors.kafka.rocks_store import RocksKeyValueStore
from tests.kafka_runtime import commands


@pytest.fixture
def processor(tmp_path: Path) -> PartitionProcessor:
    store = RocksKeyValueStore(tmp_path / "state")
    return PartitionProcessor(1, 1, store, TopicSettings(prefix="t."), 1 << 20)


def run(processor: PartitionProcessor, command: Record[Any], offset: int, now: int) -> Batch:
    """Process and 'commit' one command."""
    batch = Batch()
    processor.process_message(commands.wire(command), (), offset, now, batch)
    processor.store.apply(processor.store.take_changes(), None)
    return batch


def rejections(batch: Batch) -> list[dict[str, Any]]:
    records = [json.loads(r.value or b"") for r in batch.records]
    return [r for r in records if r["recordType"] == "COMMAND_REJECTION"]


def fail_on(monkeypatch: pytest.MonkeyPatch, value_type: ValueType) -> None:
    encode = partition_processor.encode_record

    def failing(record: Record[Any]) -> bytes:
        if record.record_type is RecordType.EVENT and record.value_type is value_type:
            raise ValueError("injected")
        return encode(record)

    monkeypatch.setattr(partition_processor, "encode_record", failing)


def test_a_command_that_cannot_be_written_fails_then_is_rejected(
    processor: PartitionProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(processor, commands.deploy(commands.one_task_process()), 0, 1)
    fail_on(monkeypatch, ValueType.PROCESS_INSTANCE_CREATION)
    create = commands.wire(commands.create_instance("one-task"))
    with pytest.raises(CommandsFailed) as failed:
        processor.process_message(create, (), 1, 2, Batch())
    [(command_id, reason)] = failed.value.reasons.items()
    assert command_id == message_id(1)
    assert reason.endswith("writing its results to Kafka failed: ValueError: injected")
    processor.discard()
    batch = Batch()
    processor.process_message(create, (), 1, 2, batch, {command_id: Failure(reason)})
    [rejection] = rejections(batch)
    assert rejection["recordType"] == "COMMAND_REJECTION"
    assert rejection["rejectionReason"] == reason
    # Its rejection failing too, it goes to the dead-letter topic.
    batch = Batch()
    processor.process_message(create, (), 1, 2, batch, {command_id: Failure(reason, 2)})
    [letter] = batch.records
    assert letter.topic == "t.commands.dlq" and letter.value == create


def test_a_due_command_that_cannot_be_written_is_rejected_once_then_left_out(
    processor: PartitionProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(processor, commands.deploy(commands.timer_process("PT1S")), 0, 1)
    run(processor, commands.create_instance("timer"), 1, 2)
    fail_on(monkeypatch, ValueType.TIMER)
    due = 5_000
    with pytest.raises(CommandsFailed) as failed:
        processor.process_due(due, Batch())
    [(command_id, reason)] = failed.value.reasons.items()
    assert command_id == due_id(0)
    processor.discard()
    batch = Batch()
    processor.process_due(due, batch, {command_id: Failure(reason)})
    [rejection] = rejections(batch)
    assert (rejection["recordType"], rejection["valueType"]) == ("COMMAND_REJECTION", "TIMER")
    processor.store.apply(processor.store.take_changes(), None)
    processor.left_out_due.update(batch.left_out_due)  # as the runtime does once committed
    later = Batch()
    processor.process_due(due + 1000, later)
    assert later.records == []


def test_a_command_whose_records_kafka_would_refuse_is_rejected(
    processor: PartitionProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partition_processor, "MAX_OUTPUT_BYTES", 5_000)
    run(processor, commands.deploy(commands.one_task_process()), 0, 1)
    big = commands.wire(commands.create_instance("one-task", {"text": "x" * 6_000}))
    with pytest.raises(CommandsFailed) as failed:
        processor.process_message(big, (), 1, 2, Batch())
    [reason] = failed.value.reasons.values()
    assert "bytes for t.events is larger than 5000 bytes" in reason
    # Its rejection (which holds it) too large as well: a dead letter without the value.
    batch = Batch()
    processor.process_message(big, (), 1, 2, batch, {message_id(1): Failure(reason, 2)})
    [letter] = batch.records
    assert letter.value == b""
    assert ("honeyflow-dlq-omitted-bytes", str(len(big)).encode()) in letter.headers
