"""Requests over Kafka: a command goes to `<p>commands` with the headers `honeyflow-request-id`,
`honeyflow-client-id` and `honeyflow-reply-partition`; the processor answers on that partition
of `<p>responses` with the same headers (docs/wire-protocol.md).

Each channel has one reply partition (a hash of its client id over the responses topic's
partitions, unless told one) and reads only that partition: the answers to other clients
land elsewhere, except those of clients that hashed to the same partition, which are skipped
by their client-id header without decoding. One background thread reads it (read_committed,
from its end offset taken when the channel opens, so no answer to a later request can be
missed) and completes the pending request by id. Sync callers wait on a
`concurrent.futures.Future`; async callers (`request_async`) on an asyncio future of their
loop, which the reader resolves with one `call_soon_threadsafe` per loop for all the answers of
one read (no thread per call, no wake-up of the loop per answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
import time
import uuid
import zlib
from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from broker.command_signing import Signer, SigningError
from broker.kafka_config import ClientConfig
from broker.protocol import Record, RecordFormatError, decode_record, encode_record
from clients.errors import ConnectError, HoneyflowError, RequestTimeoutError
from clients.kafka_offsets import KafkaReadError, watermarks

REQUEST_ID_HEADER: Final = "honeyflow-request-id"
CLIENT_ID_HEADER: Final = "honeyflow-client-id"
REPLY_PARTITION_HEADER: Final = "honeyflow-reply-partition"
_POLL_SECONDS: Final = 0.1
_READ_BATCH: Final = 500
"""Most answers the reader takes from the consumer at once."""


def describe(command: Record[Any]) -> str:
    key = f" {command.key}" if command.key >= 0 else ""
    return f"{command.value_type.value} {command.intent.value}{key}"


@dataclass(frozen=True)
class PendingRequest:
    request_id: str
    command: Record[Any]
    future: Future[Record[Any]]


@dataclass(frozen=True)
class _LoopWaiter:
    """A request awaited by asyncio code: its future belongs to `loop`."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Record[Any]]


_Waiter = Future[Record[Any]] | _LoopWaiter
_Outcome = tuple[asyncio.Future[Record[Any]], Record[Any] | BaseException]


def _resolve(outcomes: list[_Outcome]) -> None:
    """On the waiters' loop: each future gets its answer (or error) unless it gave up."""
    for future, outcome in outcomes:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def _resolve_on(loop: asyncio.AbstractEventLoop, outcomes: list[_Outcome]) -> None:
    """From any thread: `_resolve(outcomes)` on `loop`, once."""
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_resolve, outcomes)


def _resolve_soon(waiter: _LoopWaiter, outcome: Record[Any] | BaseException) -> None:
    _resolve_on(waiter.loop, [(waiter.future, outcome)])


SPEAKING_FOR: ContextVar[str] = ContextVar("honeyflow_speaking_for", default="")
"""The end user the commands sent in this context are for: the gateway sets it to the client
it authenticated, and a gateway's signature names it (docs/security.md)."""


class RequestChannel:
    """Sends commands and hands back their answers. Thread-safe; `close()` once."""

    def __init__(
        self,
        config: ClientConfig,
        commands_topic: str,
        responses_topic: str,
        *,
        reply_partition: int | None = None,
        signing_key: Path | None = None,
    ) -> None:
        """`reply_partition`: the Kafka partition of `responses_topic` to be answered on;
        by default one chosen by the client id, so that clients spread over the partitions.
        `signing_key`: the principal's private key (its certificate beside it, `.principal`)
        that signs every command (docs/security.md, "Who sent a command")."""
        self.client_id = f"py-{uuid.uuid4().hex[:12]}"
        self._signer: Signer | None = None
        if signing_key is not None:
            try:
                self._signer = Signer.from_files(signing_key)
            except SigningError as error:
                raise ConnectError(str(error)) from None
        self._commands = commands_topic
        self._responses = responses_topic
        self._ids = itertools.count(1)
        self._pending: dict[str, _Waiter] = {}
        self._deadlines: list[tuple[float, int, PendingRequest, float]] = []
        """Requests sent with `send`, by the time they give up (a heap)."""
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
        self._produce(request_id, command, partition_id)
        return PendingRequest(request_id, command, future)

    def send(self, command: Record[Any], partition_id: int, timeout: float) -> Future[Record[Any]]:
        """`submit` for callers that do not wait: the future gets the answer, or fails with
        RequestTimeoutError naming the request once `timeout` seconds have passed without one
        (the reader expires it: no thread or timer per request)."""
        pending = self.submit(command, partition_id)
        entry = (time.monotonic() + timeout, next(self._ids), pending, timeout)
        with self._lock:
            heapq.heappush(self._deadlines, entry)
        return pending.future

    def _expire_overdue(self) -> None:
        now = time.monotonic()
        overdue: list[tuple[PendingRequest, float]] = []
        with self._lock:
            while self._deadlines and self._deadlines[0][0] <= now:
                _, _, pending, timeout = heapq.heappop(self._deadlines)
                if not pending.future.done():
                    overdue.append((pending, timeout))
        for pending, timeout in overdue:
            self.expire(pending, timeout)

    async def request_async(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        """Send `command` and await its answer on the running loop without a thread; raises
        RequestTimeoutError naming the request after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        request_id = f"{self.client_id}-{next(self._ids)}"
        future: asyncio.Future[Record[Any]] = loop.create_future()
        with self._lock:
            self._pending[request_id] = _LoopWaiter(loop, future)
        self._produce(request_id, command, partition_id)
        timer = None if timeout is None else loop.call_later(timeout, _expire_soon, future)
        try:
            return await future
        except _Expired:
            raise self._timed_out(request_id, command, timeout) from None
        finally:
            if timer is not None:
                timer.cancel()
            if not future.done() or future.cancelled():
                with self._lock:
                    self._pending.pop(request_id, None)

    def _produce(self, request_id: str, command: Record[Any], partition_id: int) -> None:
        headers: list[tuple[str, str | bytes | None]] = [
            (REQUEST_ID_HEADER, request_id.encode("ascii")),
            (CLIENT_ID_HEADER, self.client_id.encode("ascii")),
            (REPLY_PARTITION_HEADER, self._reply_header),
        ]

        def delivered(error: KafkaError | None, _message: Message) -> None:
            if error is not None:
                self._fail(request_id, KafkaReadError(f"{describe(command)}: {error.str()}"))

        value = encode_record(command)
        if self._signer is not None:
            behalf = SPEAKING_FOR.get()
            headers.extend(
                self._signer.headers(value, partition_id, request_id, on_behalf_of=behalf)
            )
        try:
            self._producer.produce(
                self._commands,
                value,
                partition=partition_id - 1,
                headers=headers,
                on_delivery=delivered,
            )
        except (BufferError, KafkaException) as error:
            self._fail(request_id, KafkaReadError(f"{describe(command)}: {error}"))
        # Serve the delivery callback soon even if nobody polls for a while.
        self._producer.poll(0)

    def wait(self, pending: PendingRequest, timeout: float | None) -> Record[Any]:
        """The answer; raises RequestTimeoutError naming the request."""
        try:
            return pending.future.result(timeout)
        except TimeoutError:
            raise self._timed_out(pending.request_id, pending.command, timeout) from None

    def expire(self, pending: PendingRequest, timeout: float | None) -> None:
        """Give up on `pending`: its future fails with RequestTimeoutError now (unless the
        answer came first); a later answer is dropped."""
        with self._lock:
            mine = self._pending.pop(pending.request_id, None) is not None
        if mine:  # else the answer came first: the listener completes the future
            pending.future.set_exception(
                self._timed_out(pending.request_id, pending.command, timeout)
            )

    def _timed_out(
        self, request_id: str, command: Record[Any], timeout: float | None
    ) -> RequestTimeoutError:
        with self._lock:
            self._pending.pop(request_id, None)
        return RequestTimeoutError(
            f"no answer to {describe(command)} (request {request_id}) within {timeout} s"
        )

    def _fail(self, request_id: str, error: Exception) -> None:
        with self._lock:
            waiter = self._pending.pop(request_id, None)
        if isinstance(waiter, _LoopWaiter):
            _resolve_soon(waiter, error)
        elif waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _listen(self) -> None:
        me = self.client_id.encode("ascii")
        while not self._stop.is_set():
            self._producer.poll(0)
            try:
                # Wait for a first answer, then take what else has arrived (`consume` with a
                # timeout would wait it out unless it filled the batch).
                first = self._consumer.poll(_POLL_SECONDS)
                messages = [] if first is None else [first]
                if first is not None:
                    messages.extend(self._consumer.consume(_READ_BATCH, 0))
            except (KafkaException, RuntimeError):
                if self._stop.is_set():
                    return
                raise
            outcomes: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
            for message in messages:
                self._answer(message, me, outcomes)
            for loop, answered in outcomes.items():
                _resolve_on(loop, answered)
            if self._deadlines:
                self._expire_overdue()

    def _answer(
        self,
        message: Message,
        me: bytes,
        outcomes: dict[asyncio.AbstractEventLoop, list[_Outcome]],
    ) -> None:
        """Complete the request `message` answers; answers for a loop are collected."""
        if message.error() is not None:
            return
        headers = dict(message.headers() or [])
        if headers.get(CLIENT_ID_HEADER) != me:
            self.others_read += 1
            return  # another client's answer: skip it without decoding
        raw_id = headers.get(REQUEST_ID_HEADER) or b""
        request_id = raw_id.decode("ascii", "replace") if isinstance(raw_id, bytes) else raw_id
        with self._lock:
            waiter = self._pending.pop(request_id, None)
        if waiter is None:
            return  # timed out already, or a duplicate answer
        outcome: Record[Any] | BaseException
        try:
            outcome = decode_record(message.value() or b"")
        except RecordFormatError as error:
            outcome = KafkaReadError(f"unreadable answer to request {request_id}: {error}")
        if isinstance(waiter, _LoopWaiter):
            outcomes.setdefault(waiter.loop, []).append((waiter.future, outcome))
        elif waiter.done():
            return
        elif isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join()
        self._producer.flush(10)
        self._consumer.close()
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
            self._deadlines.clear()
        for waiter in pending:
            if isinstance(waiter, _LoopWaiter):
                _resolve_soon(waiter, HoneyflowError("the client was closed"))
            elif not waiter.done():
                waiter.set_exception(HoneyflowError("the client was closed"))


class _Expired(Exception):
    """A request's time ran out (turned into RequestTimeoutError naming it)."""


def _expire_soon(future: asyncio.Future[Record[Any]]) -> None:
    if not future.done():
        future.set_exception(_Expired())
