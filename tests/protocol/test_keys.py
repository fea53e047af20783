from __future__ import annotations

import pytest

from broker.protocol.keys import (
    MAX_COUNTER,
    MAX_PARTITION_ID,
    KeyGenerator,
    decode_counter,
    decode_partition,
    encode_key,
)


def test_first_key_of_partition_one_is_zeebes() -> None:
    # Zeebe's first key on partition 1, as seen in its exported records.
    assert KeyGenerator(1).next_key() == 2251799813685249


@pytest.mark.parametrize(
    ("partition", "counter"), [(1, 0), (1, 1), (3, 12345), (MAX_PARTITION_ID, MAX_COUNTER)]
)
def test_key_round_trips(partition: int, counter: int) -> None:
    key = encode_key(partition, counter)
    assert decode_partition(key) == partition
    assert decode_counter(key) == counter
    assert 0 < key < 2**63


@pytest.mark.parametrize("partition", [0, -1, MAX_PARTITION_ID + 1])
def test_out_of_range_partition_is_rejected(partition: int) -> None:
    with pytest.raises(ValueError, match=r"partition id .* out of range"):
        encode_key(partition, 1)
    with pytest.raises(ValueError, match="partition id"):
        KeyGenerator(partition)


@pytest.mark.parametrize("counter", [-1, MAX_COUNTER + 1])
def test_out_of_range_counter_is_rejected(counter: int) -> None:
    with pytest.raises(ValueError, match="counter"):
        encode_key(1, counter)


@pytest.mark.parametrize("key", [-1, 0, 5, 2**63])
def test_decoding_a_key_without_partition_fails(key: int) -> None:
    with pytest.raises(ValueError, match="not a partition-encoded key"):
        decode_partition(key)


def test_generator_hands_out_increasing_keys_of_its_partition() -> None:
    generator = KeyGenerator(partition_id=7)
    keys = [generator.next_key() for _ in range(3)]
    assert [decode_partition(k) for k in keys] == [7, 7, 7]
    assert [decode_counter(k) for k in keys] == [1, 2, 3]
    assert generator.last_counter == 3


def test_generator_resumes_from_its_persisted_state() -> None:
    generator = KeyGenerator(2)
    generator.next_key()
    restored = KeyGenerator(2, last_counter=generator.last_counter)
    assert restored == generator
    assert restored.next_key() == generator.next_key()


def test_observe_moves_past_replayed_keys_of_own_partition_only() -> None:
    generator = KeyGenerator(1)
    generator.observe(encode_key(1, 10))
    generator.observe(encode_key(2, 99))
    generator.observe(encode_key(1, 4))
    assert generator.next_key() == encode_key(1, 11)


def test_exhausted_key_space_raises() -> None:
    generator = KeyGenerator(1, last_counter=MAX_COUNTER)
    with pytest.raises(OverflowError):
        generator.next_key()
