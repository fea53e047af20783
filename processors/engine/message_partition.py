"""Which partition holds the messages of a correlation key. Zeebe's routing rule, so that
clients, the Kafka runtime and the engine agree: a Java-style 32-bit `31 * h + b` hash over
the key's UTF-8 bytes (equal to Java's String.hashCode for ASCII keys), modulo the count, + 1."""

from __future__ import annotations


def correlation_key_hash(correlation_key: str) -> int:
    """The signed 32-bit hash Zeebe computes (bytes are signed, as Java's `byte`)."""
    h = 0
    for byte in correlation_key.encode("utf-8"):
        signed = byte - 256 if byte > 127 else byte
        h = (31 * h + signed) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def message_partition(correlation_key: str, partition_count: int) -> int:
    """The partition (1-based) for messages and subscriptions of `correlation_key`."""
    if partition_count < 1:
        raise ValueError("partition_count must be at least 1")
    # Java's `Math.abs(h % n)`: a truncated remainder, made positive.
    return abs(correlation_key_hash(correlation_key)) % partition_count + 1
