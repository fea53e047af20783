"""A tiny stand-in for the engine processors, for testing the Kafka transport alone: it reads
every command from `<p>commands` and answers each on `<p>responses` (on the request's reply
partition, with its request headers) with what `answer(command, partition_id)` returns — or
nothing for None."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition

from broker.protocol import Record, decode_record, encode_record
from broker.topics import TopicSettings

Answer = Callable[[Record[Any], int], Record[Any] | None]


@dataclass
class Seen:
    partition_id: int
    command: Record[Any]
    headers: dict[str, bytes]


@dataclass
class FakeEngine:
    bootstrap: str
    topics: TopicSettings
    answer: Answer
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "fake-engine"})
        self._consumer.assign(
            [TopicPartition(self.topics.commands, p, 0) for p in range(self.topics.partitions)]
        )
        self._producer = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 0})
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            message = self._consumer.poll(0.05)
            if message is None or message.error() is not None:
                continue
            partition_id = (message.partition() or 0) + 1
            command = decode_record(message.value() or b"")
            headers = {k: v for k, v in message.headers() or [] if isinstance(v, bytes)}
            self.seen.append(Seen(partition_id, command, headers))
            response = self.answer(command, partition_id)
            if response is not None and response.value_type.value == "DEPLOYMENT":
                # The deployment reaches every partition, as the engine's distribution does.
                for other in range(1, self.topics.partitions + 1):
                    copy = dataclasses.replace(response, partition_id=other)
                    self._producer.produce(
                        self.topics.events, encode_record(copy), partition=other - 1
                    )
            if response is not None:
                reply = headers.get("honeyflow-reply-partition")
                self._producer.produce(
                    self.topics.responses,
                    encode_record(response),
                    partition=partition_id - 1 if reply is None else int(reply),
                    headers=list(headers.items()),
                )
                self._producer.flush(10)

    def publish(self, topic: str, record: Record[Any], partition_id: int) -> None:
        # Keyed by the job key, as the engine does: a job topic is compacted, and a compacted
        # topic refuses records without a key.
        self._producer.produce(
            topic, encode_record(record), str(record.key).encode(), partition=partition_id - 1
        )
        self._producer.flush(10)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._consumer.close()
