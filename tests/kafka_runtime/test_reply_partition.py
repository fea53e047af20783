"""Where an answer goes, without Kafka: the reply partition a request names
(`honeyflow-reply-partition`) is read from its headers, kept with a create-with-result request
in the partition's state, and a header that names no partition of the responses topic is
ignored (the answer goes to the command's partition, as for requests without it)."""

from __future__ import annotations

import pytest

from processors.engine.context import AwaitingResult
from processors.engine.kv_store import InMemoryKeyValueStore, pack
from processors.kafka.awaiting_results import RequestHeaders, StoredAwaitingResults
from processors.kafka.partition_processor import reply_partition


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        (b"0", 0),
        (b"2", 2),
        (b"3", None),  # the topic has partitions 0 to 2
        (b"-1", None),
        (b"+1", None),
        (b" 1", None),
        (b"one", None),
        (b"", None),
        ("١".encode(), None),  # digits are ASCII digits
        (b"9" * 40, None),
    ],
)
def test_the_reply_partition_is_a_partition_of_the_responses_topic(
    header: bytes | None, expected: int | None
) -> None:
    assert reply_partition(header, 3) == expected


def test_an_awaiting_request_keeps_its_reply_partition() -> None:
    awaiting = StoredAwaitingResults(InMemoryKeyValueStore())
    awaiting.current[7] = RequestHeaders("req-1", "client-a", 2)
    awaiting[42] = AwaitingResult(7, ("total",))
    awaiting.current.clear()  # the batch is over; the instance completes in a later one

    assert awaiting.pop(42) == AwaitingResult(7, ("total",))
    assert awaiting.taken == {7: RequestHeaders("req-1", "client-a", 2)}


def test_an_awaiting_request_without_reply_partition_is_answered_as_before() -> None:
    store = InMemoryKeyValueStore()
    awaiting = StoredAwaitingResults(store)
    awaiting.current[7] = RequestHeaders("req-1", "client-a")
    awaiting[42] = AwaitingResult(7, ())
    # A row written before routed replies: without the reply partition field.
    store.put("kafka_awaiting_results", pack(43), [8, [], "req-2", "client-b"])

    del awaiting[42]
    del awaiting[43]
    assert awaiting.taken == {
        7: RequestHeaders("req-1", "client-a", None),
        8: RequestHeaders("req-2", "client-b", None),
    }
