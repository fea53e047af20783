"""Where a consumer stands in a topic: the partitions' end offsets asked of the leaders, and
how far the consumer has read — counting end-of-partition events, because a consumer that
read nothing from a partition (empty, or only transaction markers) has no position there."""

from __future__ import annotations

import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from clients.errors import HoneyflowError

_ATTEMPT_SECONDS = 3.0


class KafkaReadError(HoneyflowError):
    """Kafka did not accept a command or serve a read (a broker is gone, a topic is missing,
    ...). Part of the client's tree, under `HoneyflowError`."""


def watermarks(
    consumer: Consumer, topic: str, partition: int, timeout: float = 30.0
) -> tuple[int, int]:
    """(first, end) offsets of the partition, asked of its leader now (for a read_committed
    consumer the end is the last stable offset). Retried while the error is transient: a
    topic created a moment ago may not have elected its leader yet."""
    deadline = time.monotonic() + timeout
    while True:
        # Several tries within `timeout`: a request to a leader that just died times out,
        # the next one goes to the leader elected meanwhile.
        attempt = max(min(deadline - time.monotonic(), _ATTEMPT_SECONDS), 0.1)
        try:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=attempt, cached=False
            )
            return int(low), int(high)
        except KafkaException as error:
            if not _transient(error.args[0]) or time.monotonic() > deadline:
                raise KafkaReadError(
                    f"cannot read the offsets of {topic} [{partition}]: {error}"
                ) from None
            time.sleep(0.1)


def _transient(error: KafkaError) -> bool:
    # librdkafka does not flag these as retriable here, yet they pass once a leader is elected
    # (the last three: the request went to a broker that died, or that left the cluster's
    # metadata, meanwhile).
    return bool(error.retriable()) or error.code() in (
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError._TRANSPORT,
        KafkaError._DESTROY_BROKER,
        KafkaError._TIMED_OUT,
    )


class ReadProgress:
    """The next offset to read per partition, from the messages and end-of-partition events a
    consumer (with `enable.partition.eof`) returned."""

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def saw(self, message: Message) -> bool:
        """Account for what `poll` returned; True if it is a record to use."""
        partition, offset = message.partition() or 0, message.offset() or 0
        error = message.error()
        if error is None:
            self._next[partition] = offset + 1
            return True
        if error.code() == KafkaError._PARTITION_EOF:
            self._next[partition] = max(self._next.get(partition, 0), offset)
        return False

    def rewind(self, partition: int, offset: int) -> None:
        self._next[partition] = offset

    def forget(self, partitions: list[int]) -> None:
        for partition in partitions:
            self._next.pop(partition, None)

    def reached(self, ends: dict[int, int]) -> bool:
        return all(self._next.get(p, -1) >= end for p, end in ends.items())
