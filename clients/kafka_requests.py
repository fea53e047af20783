"""Requests over Kafka: a command goes to `<p>commands` with the headers `honeyflow-request-id`,
`honeyflow-client-id` and `honeyflow-reply-partition`; the processor answers on that partition
of `<p>responses` with the same headers (docs/wire-protocol.md).

Each channel has one reply partition (a hash of its client id over the responses topic's
partitions, unless told one) and reads only that partition: the answers to other clients
land elsewhere, except those of clients that hashed to the same partition, which are skipped
by their client-id header without decoding. One background thread reads it (read_committed,
from its end offset taken when the channel opens, so no answer to a later request can be
missed) and completes the pending request by id. Callers wait on a `concurrent.futures.Future`:
blocking in sync code, through `asyncio.wrap_future` in async code, so no event loop is
blocked.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import uuid
import zlib
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Final

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from broker.kafka_config import ClientConfig
from broker.protocol import Record, RecordFormatError, decode_record, encode_record
from clients.errors import ConnectError, HoneyflowError, RequestTimeoutError
from clients.kafka_offsets import KafkaReadError, watermarks

REQUEST_ID_HEADER: Final = "honeyflow-request-id"
CLIENT_ID_HEADER: Final = "honeyflow-client-id"
REPLY_PARTITION_HEADER: Final = "honeyflow-reply-partition"
_POLL_SECONDS: Final = 0.1


def describe(command: Record[Any]) -> str:
    key = f" {command.key}" if command.key >= 0 else ""
    return f"{command.value_type.value} {command.intent.value}{key}"


@dataclass(frozen=True)
class PendingRequest:
    request_id: str
    command: Record[Any]
    future: Future[Record[Any]]


class RequestChannel:
    """Sends commands and hands back their answers. Thread-safe; `close()` once."""

    def __init__(
        self,
        config: ClientConfig,
        commands_topic: str,
        responses_topic: str,
        *,
        reply_partition: int | None = None,
    ) -> None:
        """`reply_partition`: the Kafka partition of `responses_topic` to be answered on;
        by default one chosen by the client id, so that clients spread over the partitions."""
        self.client_id = f"py-{uuid.uuid4().hex[:12]}"
        self._commands = commands_topic
        self._responses = responses_topic
        self._ids = itertools.count(1)
        self._pending: dict[str, Future[Record[Any]]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._producer = Producer(
            {**config, "enable.idempotence": True, "acks": "all", "linger.ms": 1}
        )
        self._consumer = Consumer(
            {
                **config,
                "group.id": f"honeyflow.clients.{self.client_id}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
            }
        )
        try:
            start = self._reply_start(responses_topic, reply_partition)
            self._consumer.assign([start])
        except BaseException:
            self._consumer.close()
            raise
        self.reply_partition: int = start.partition
        self.others_read = 0
        """Answers to other clients read on the reply partition (and skipped) so far."""
        self._reply_header = str(start.partition).encode("ascii")
        self._thread = threading.Thread(
            target=self._listen, name=f"honeyflow-responses-{self.client_id}", daemon=True
        )
        self._thread.start()

    def _reply_start(self, topic: str, wanted: int | None) -> TopicPartition:
        """The reply partition at its end offset."""
        metadata = self._consumer.list_topics(topic, timeout=30)
        partitions = metadata.topics[topic].partitions if topic in metadata.topics else {}
        if not partitions:
            raise ConnectError(f"topic {topic} does not exist (run `honeyflow topics create`)")
        if wanted is None:
            wanted = zlib.crc32(self.client_id.encode("ascii")) % len(partitions)
        elif wanted not in partitions:
            raise ConnectError(
                f"reply partition {wanted} is not a partition of {topic}"
                f" (it has {len(partitions)}: 0 to {len(partitions) - 1})"
            )
        return TopicPartition(topic, wanted, watermarks(self._consumer, topic, wanted)[1])

    def submit(self, command: Record[Any], partition_id: int) -> PendingRequest:
        """Produce `command` to partition `partition_id` (1-based); the future gets its answer."""
        request_id = f"{self.client_id}-{next(self._ids)}"
        future: Future[Record[Any]] = Future()
        with self._lock:
            self._pending[request_id] = future
        headers: list[tuple[str, str | bytes | None]] = [
            (REQUEST_ID_HEADER, request_id.encode("ascii")),
            (CLIENT_ID_HEADER, self.client_id.encode("ascii")),
            (REPLY_PARTITION_HEADER, self._reply_header),
        ]

        def delivered(error: KafkaError | None, _message: Message) -> None:
            if error is not None:
                self._fail(request_id, KafkaReadError(f"{describe(command)}: {error.str()}"))

        try:
            self._producer.produce(
                self._commands,
                encode_record(command),
                partition=partition_id - 1,
                headers=headers,
                on_delivery=delivered,
            )
        except (BufferError, KafkaException) as error:
            self._fail(request_id, KafkaReadError(f"{describe(command)}: {error}"))
        # Serve the delivery callback soon even if nobody polls for a while.
        self._producer.poll(0)
        return PendingRequest(request_id, command, future)

    def wait(self, pending: PendingRequest, timeout: float | None) -> Record[Any]:
        """The answer; raises RequestTimeoutError naming the request."""
        try:
            return pending.future.result(timeout)
        except TimeoutError:
            raise self._timed_out(pending, timeout) from None

    async def wait_async(self, pending: PendingRequest, timeout: float | None) -> Record[Any]:
        try:
            return await asyncio.wait_for(asyncio.wrap_future(pending.future), timeout)
        except TimeoutError:
            raise self._timed_out(pending, timeout) from None

    def expire(self, pending: PendingRequest, timeout: float | None) -> None:
        """Give up on `pending`: its future fails with RequestTimeoutError now (unless the
        answer came first); a later answer is dropped."""
        with self._lock:
            mine = self._pending.pop(pending.request_id, None) is not None
        if mine:  # else the answer came first: the listener completes the future
            pending.future.set_exception(self._timed_out(pending, timeout))

    def _timed_out(self, pending: PendingRequest, timeout: float | None) -> RequestTimeoutError:
        with self._lock:
            self._pending.pop(pending.request_id, None)
        return RequestTimeoutError(
            f"no answer to {describe(pending.command)} (request {pending.request_id})"
            f" within {timeout} s"
        )

    def _fail(self, request_id: str, error: Exception) -> None:
        with self._lock:
            future = self._pending.pop(request_id, None)
        if future is not None and not future.done():
            future.set_exception(error)

    def _listen(self) -> None:
        me = self.client_id.encode("ascii")
        while not self._stop.is_set():
            self._producer.poll(0)
            try:
                message = self._consumer.poll(_POLL_SECONDS)
            except (KafkaException, RuntimeError):
                if self._stop.is_set():
                    return
                raise
            if message is None or message.error() is not None:
                continue
            headers = dict(message.headers() or [])
            if headers.get(CLIENT_ID_HEADER) != me:
                self.others_read += 1
                continue  # another client's answer: skip it without decoding
            raw_id = headers.get(REQUEST_ID_HEADER) or b""
            request_id = raw_id.decode("ascii", "replace") if isinstance(raw_id, bytes) else raw_id
            with self._lock:
                future = self._pending.pop(request_id, None)
            if future is None or future.done():
                continue  # timed out already, or a duplicate answer
            try:
                future.set_result(decode_record(message.value() or b""))
            except RecordFormatError as error:
                future.set_exception(
                    KafkaReadError(f"unreadable answer to request {request_id}: {error}")
                )

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        self._producer.flush(10)
        self._consumer.close()
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for future in pending:
            if not future.done():
                future.set_exception(HoneyflowError("the client was closed"))
