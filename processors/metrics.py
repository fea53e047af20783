"""Prometheus metrics of Honeyflow's Kafka-side processes (engine processors, exporter):
the metric objects, a record hook that counts job and incident events, and the HTTP endpoint.
Each process serves its own `/metrics` (`start_metrics_server`); names are documented in
docs/operations.md. The engine core must not import this module (it does no I/O).
"""

from __future__ import annotations

import contextlib
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import start_http_server as _start_http_server

from broker.protocol import Record, RecordType, ValueType
from broker.protocol.intents import IncidentIntent, JobIntent

JOB_EVENTS: dict[object, str] = {
    JobIntent.CREATED: "created",
    JobIntent.COMPLETED: "completed",
    JobIntent.FAILED: "failed",
    JobIntent.TIMED_OUT: "timed_out",
}
"""The job events counted, by the `event` label they get."""


def start_metrics_server(
    port: int,
    address: str = "0.0.0.0",  # noqa: S104
    registry: CollectorRegistry = REGISTRY,
) -> None:
    """Serve `registry` at http://address:port/metrics from a daemon thread. All interfaces
    by default: Prometheus scrapes from another host."""
    _start_http_server(port, addr=address, registry=registry)


class JobAndIncidentMetrics:
    """`<namespace>_jobs_total{event}` and `<namespace>_incidents_open{partition}`, fed by
    `observe(record)` for every record a process writes or reads."""

    def __init__(self, namespace: str, registry: CollectorRegistry = REGISTRY) -> None:
        self.jobs = Counter(
            f"{namespace}_jobs_total",
            "Job events: created, completed, failed, timed_out.",
            ["event"],
            registry=registry,
        )
        for event in JOB_EVENTS.values():
            self.jobs.labels(event)  # export zeros before the first event
        self.incidents_open = Gauge(
            f"{namespace}_incidents_open",
            "Incidents created and not resolved yet, per partition.",
            ["partition"],
            registry=registry,
        )

    def observe(self, record: Record[Any]) -> None:
        if record.record_type is not RecordType.EVENT:
            return
        if record.value_type is ValueType.JOB:
            event = JOB_EVENTS.get(record.intent)
            if event is not None:
                self.jobs.labels(event).inc()
        elif record.value_type is ValueType.INCIDENT:
            gauge = self.incidents_open.labels(str(record.partition_id))
            if record.intent is IncidentIntent.CREATED:
                gauge.inc()
            elif record.intent is IncidentIntent.RESOLVED:
                gauge.dec()

    def set_incidents_open(self, partition_id: int, count: int) -> None:
        """After restoring a partition's state: the gauge starts from what the state holds."""
        self.incidents_open.labels(str(partition_id)).set(count)


class ProcessorMetrics:
    """What an engine processor reports (`honeyflow_engine_*`): call `command_processed`
    per command (with its processing time), `set_consumer_lag` after each poll, and
    `records.observe` for each record written."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.commands = Counter(
            "honeyflow_engine_commands_processed_total",
            "Commands processed, per partition.",
            ["partition"],
            registry=registry,
        )
        self.latency = Histogram(
            "honeyflow_engine_processing_seconds",
            "Time to process one command (core + writers), seconds.",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "honeyflow_engine_consumer_lag",
            "Commands not yet consumed (log end offset minus position), per partition.",
            ["partition"],
            registry=registry,
        )
        self.records = JobAndIncidentMetrics("honeyflow_engine", registry)

    def command_processed(self, partition_id: int, seconds: float) -> None:
        self.commands.labels(str(partition_id)).inc()
        self.latency.observe(seconds)

    def set_consumer_lag(self, partition_id: int, lag: int) -> None:
        self.consumer_lag.labels(str(partition_id)).set(max(lag, 0))

    def forget_partition(self, partition_id: int) -> None:
        """A partition was handed to another processor: stop reporting it here."""
        label = str(partition_id)
        for metric in (self.commands, self.consumer_lag, self.records.incidents_open):
            with contextlib.suppress(KeyError):  # never reported on this partition
                metric.remove(label)


class ExporterMetrics:
    """What the exporter reports (`honeyflow_exporter_*`); instance and incident counts come
    from the store at scrape time (`processors.exporter.store_metrics`)."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.records = Counter(
            "honeyflow_exporter_records_total",
            "Audit-log records applied to the query store, per partition.",
            ["partition"],
            registry=registry,
        )
        self.lag = Gauge(
            "honeyflow_exporter_lag_records",
            "Records in the audit log not yet applied to the store, per partition.",
            ["partition"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "honeyflow_exporter_batch_seconds",
            "Time to write one batch to the store, seconds.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )
        self.jobs = Counter(
            "honeyflow_exporter_jobs_total",
            "Job events exported: created, completed, failed, timed_out.",
            ["event"],
            registry=registry,
        )
        for event in JOB_EVENTS.values():
            self.jobs.labels(event)
