"""Apply JSON records to a store the way the exporter does, without Kafka: decoded with the
codec, folded in batches of a given size, each batch in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from broker.protocol import decode_record
from processors.exporter.projection import ProjectionBatch, load_positions
from processors.exporter.schema import create_schema
from processors.exporter.store import Store

TOPIC = "test.events"


def apply_records(store: Store, records: Iterable[dict[str, Any]], batch_size: int = 50) -> int:
    """Returns how many records were applied (not skipped as already applied)."""
    create_schema(store, TOPIC)
    with store.transaction() as tx:
        positions = load_positions(tx)
    applied = 0
    pending = list(records)
    offsets: dict[int, int] = {}
    for start in range(0, len(pending), batch_size):
        batch = ProjectionBatch(positions)
        for record in pending[start : start + batch_size]:
            partition = record["partitionId"]
            offsets[partition] = offsets.get(partition, -1) + 1
            decoded = decode_record(json.dumps(record).encode())
            batch.add(decoded, offsets[partition] + 1, offsets[partition] + 1)
        with store.transaction() as tx:
            batch.write(tx, now_ms=0)
        positions = batch.positions
        applied += len(batch)
    return applied
