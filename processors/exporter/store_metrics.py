"""Gauges read from the query store when Prometheus scrapes: instances per state and open
incidents, per process. Reading at scrape time keeps them right across exporter restarts
(a counter kept in memory would start again from zero)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from processors.exporter.store import Store


class StoreCollector(Collector):
    """Opens its own connection per scrape: the scrape runs on the HTTP server's thread."""

    def __init__(self, open_store: Callable[[], Store]) -> None:
        self._open_store = open_store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        instances = GaugeMetricFamily(
            "honeyflow_instances",
            "Process instances in the store, per process and state.",
            labels=["bpmn_process_id", "state"],
        )
        incidents = GaugeMetricFamily(
            "honeyflow_incidents_open",
            "Open incidents in the store, per process.",
            labels=["bpmn_process_id"],
        )
        with self._open_store() as store:
            for process, state, count in store.query(
                "SELECT bpmn_process_id, state, COUNT(*) FROM process_instances"
                " GROUP BY bpmn_process_id, state"
            ):
                instances.add_metric([process, state], count)
            for process, count in store.query(
                "SELECT bpmn_process_id, COUNT(*) FROM incidents WHERE state = ?"
                " GROUP BY bpmn_process_id",
                ("OPEN",),
            ):
                incidents.add_metric([process], count)
        yield instances
        yield incidents
