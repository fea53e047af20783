"""Putting a workload's records on a real `<prefix>events` topic, as the engine would
(Kafka partition = partitionId − 1, key = the record key), and waiting for the store."""

from __future__ import annotations

import time
from typing import Any

from confluent_kafka import Producer

from broker.topics import TopicSettings, ensure_topics
from processors.exporter.queries import Queries
from processors.exporter.store import open_store


def create_topics(bootstrap: str, prefix: str, partitions: int = 2) -> TopicSettings:
    settings = TopicSettings(prefix=prefix, partitions=partitions)
    ensure_topics({"bootstrap.servers": bootstrap}, settings.core_topics())
    return settings


def produce(bootstrap: str, topic: str, records: list[dict[str, Any]]) -> None:
    import json

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for record in records:
        producer.produce(
            topic,
            json.dumps(record, separators=(",", ":")).encode(),
            key=str(record["key"]).encode(),
            partition=record["partitionId"] - 1,
        )
    assert producer.flush(30) == 0


def last_positions(records: list[dict[str, Any]]) -> dict[int, int]:
    result: dict[int, int] = {}
    for r in records:
        result[r["partitionId"]] = max(result.get(r["partitionId"], 0), r["position"])
    return result


def wait_until_exported(
    store_url: str, records: list[dict[str, Any]], timeout: float = 60.0
) -> None:
    """Until every partition's last record is applied and the exporter reports no lag."""
    expected = last_positions(records)
    deadline = time.monotonic() + timeout
    seen: dict[int, tuple[int, int]] = {}
    while time.monotonic() < deadline:
        try:
            with open_store(store_url, create=False) as store:
                lags = Queries(store).exporter_lag()
        except Exception:  # the exporter has not created the store yet
            lags = []
        seen = {lag.partition_id: (lag.position, lag.lag) for lag in lags}
        if all(seen.get(p, (0, 1)) >= (pos, 0) and seen[p][1] == 0 for p, pos in expected.items()):
            return
        time.sleep(0.2)
    raise AssertionError(f"store not caught up in {timeout}s: {seen}, expected {expected}")
