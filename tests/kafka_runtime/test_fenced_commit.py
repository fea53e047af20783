"""A partition whose producer was fenced while a transaction was being filled (no broker
needed): aiokafka's sender saw ProducerFenced in the background, and the next send refuses
with IllegalOperation ("Can't send messages while not in transaction"). The engine leaves the
partition, as on ProducerFenced, instead of exiting: `make soak` on a starved machine saw an
engine expelled from its group exit this way, in both of its first two runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import IllegalOperation, KafkaTimeoutError

from broker.topics import TopicSettings
from processors.kafka.partition_processor import PartitionProcessor
from processors.kafka.rocks_store import RocksKeyValueStore
from processors.kafka.runtime import EngineRuntime, EngineSettings, _Owned
from tests.kafka_runtime import commands


class _Batch:
    def append(self, **record: Any) -> object:
        return record

    def close(self) -> None:
        pass

    def record_count(self) -> int:
        return 1


class FencedProducer:
    """A transactional producer fenced behind the engine's back."""

    def __init__(self) -> None:
        self.stopped = False

    async def begin_transaction(self) -> None:
        pass

    def create_batch(self) -> _Batch:
        return _Batch()

    async def send_batch(self, batch: _Batch, topic: str, partition: int) -> None:
        raise IllegalOperation("Can't send messages while not in transaction")

    async def abort_transaction(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True


@dataclass
class Message:
    value: bytes
    offset: int
    headers: tuple[tuple[str, bytes], ...] = ()


async def test_an_engine_leaves_a_partition_whose_producer_was_fenced_mid_commit(
    tmp_path: Path,
) -> None:
    topics = TopicSettings(prefix="t.")
    runtime = EngineRuntime(
        EngineSettings({"bootstrap.servers": "127.0.0.1:1"}, topics, tmp_path / "engine")
    )
    store = RocksKeyValueStore(tmp_path / "state")
    producer = FencedProducer()
    owned = _Owned(
        PartitionProcessor(1, 1, store, topics, 1 << 20),
        producer,  # type: ignore[arg-type]
        TopicPartition(topics.commands, 0),
    )
    runtime._owned[1] = owned
    # A create of a process nobody deployed: its rejection is a record to commit.
    message = Message(commands.wire(commands.create_instance("nobody-deployed-it")), 0)
    await runtime._run_partition(owned, [message], 1_000)
    assert owned.closed and 1 not in runtime._owned
    assert producer.stopped


class FatalProducer(FencedProducer):
    """A producer whose transaction failed and whose abort then asserts: aiokafka's fatal
    transaction state (seen once, EndTxn answered UNKNOWN_SERVER_ERROR at load 73)."""

    async def send_batch(self, batch: _Batch, topic: str, partition: int) -> None:
        raise KafkaTimeoutError()

    async def abort_transaction(self) -> None:
        raise AssertionError("producer is in a fatal state")


async def test_a_partition_whose_producer_cannot_abort_is_taken_over_again(
    tmp_path: Path,
) -> None:
    topics = TopicSettings(prefix="t.")
    runtime = EngineRuntime(
        EngineSettings({"bootstrap.servers": "127.0.0.1:1"}, topics, tmp_path / "engine")
    )
    tp = TopicPartition(topics.commands, 0)
    taken_over: list[set[TopicPartition]] = []

    async def acquire(assigned: set[TopicPartition]) -> None:
        taken_over.append(assigned)

    runtime._consumer = object()  # type: ignore[assignment]
    runtime._acquire = acquire  # type: ignore[method-assign]
    producer = FatalProducer()
    owned = _Owned(
        PartitionProcessor(1, 1, RocksKeyValueStore(tmp_path / "state"), topics, 1 << 20),
        producer,  # type: ignore[arg-type]
        tp,
    )
    runtime._owned[1] = owned
    message = Message(commands.wire(commands.create_instance("nobody-deployed-it")), 0)
    await runtime._run_partition(owned, [message], 1_000)  # raised AssertionError before
    assert owned.closed and producer.stopped
    assert taken_over == [{tp}]  # opened again: a new producer, the committed state
