"""Decisions through the exporter on a real Kafka: the records of business rule tasks (an
evaluation with a required decision, a failed one resolved) on a `<prefix>events` topic of
two partitions, read by `Exporter`; the store then lists them as on SQLite directly."""

from __future__ import annotations

import threading

import pytest

from processors.exporter.exporter import Exporter, ExporterSettings
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.visibility.kafka_helpers import create_topics, produce, wait_until_exported
from tests.visibility.test_decision_store import KEYS, RECORDS

pytestmark = pytest.mark.kafka


def test_decision_evaluations_reach_the_store(
    kafka_bootstrap: str, unique_name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store_url = str(tmp_path_factory.mktemp("decisions") / "visibility.db")
    topics = create_topics(kafka_bootstrap, unique_name + ".")
    produce(kafka_bootstrap, topics.events, RECORDS)
    exporter = Exporter(
        ExporterSettings(
            client_config={"bootstrap.servers": kafka_bootstrap},
            topic=topics.events,
            store_url=store_url,
            ends_interval_seconds=0.3,
        )
    )
    stop = threading.Event()
    thread = threading.Thread(target=exporter.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until_exported(store_url, RECORDS)
    finally:
        stop.set()
        thread.join(30)
        exporter.close()
    with open_store(store_url, create=False) as store:
        q = Queries(store)
        rows = q.decision_evaluations(KEYS["gold"])
        assert [(r.decision_id, r.output) for r in rows] == [("tier", "gold"), ("discount", 0.2)]
        assert [r.state for r in q.decision_evaluations(KEYS["failed"])] == [
            "FAILED",
            "EVALUATED",
        ]
        assert {d.decision_id for d in q.decisions()} == {"discount", "rank", "tier"}
