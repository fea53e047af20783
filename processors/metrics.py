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
        # Children cached: `labels()` takes a lock and builds a key on every call, and this
        # runs for every record the engine writes.
        self._job_children = {
            intent: self.jobs.labels(event) for intent, event in JOB_EVENTS.items()
        }
        self._incident_children: dict[int, Any] = {}
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
            child = self._job_children.get(record.intent)
            if child is not None:
                child.inc()
        elif record.value_type is ValueType.INCIDENT:
            if record.intent is IncidentIntent.CREATED:
                self._incidents(record.partition_id).inc()
            elif record.intent is IncidentIntent.RESOLVED:
                self._incidents(record.partition_id).dec()

    def set_incidents_open(self, partition_id: int, count: int) -> None:
        """After restoring a partition's state: the gauge starts from what the state holds."""
        self._incidents(partition_id).set(count)

    def forget_partition(self, partition_id: int) -> None:
        self._incident_children.pop(partition_id, None)
        with contextlib.suppress(KeyError):  # never reported on this partition
            self.incidents_open.remove(str(partition_id))

    def _incidents(self, partition_id: int) -> Any:
        child = self._incident_children.get(partition_id)
        if child is None:
            child = self.incidents_open.labels(str(partition_id))
            self._incident_children[partition_id] = child
        return child


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
        self._command_children: dict[int, Any] = {}
        self._lag_children: dict[int, Any] = {}

    def command_processed(self, partition_id: int, seconds: float) -> None:
        self._commands(partition_id).inc()
        self.latency.observe(seconds)

    def commands_processed(self, partition_id: int, seconds: list[float]) -> None:
        """A committed batch: one command per entry of `seconds` (its processing time)."""
        self._commands(partition_id).inc(len(seconds))
        observe = self.latency.observe
        for each in seconds:
            observe(each)

    def set_consumer_lag(self, partition_id: int, lag: int) -> None:
        child = self._lag_children.get(partition_id)
        if child is None:
            child = self._lag_children[partition_id] = self.consumer_lag.labels(str(partition_id))
        child.set(max(lag, 0))

    def forget_partition(self, partition_id: int) -> None:
        """A partition was handed to another processor: stop reporting it here."""
        self._command_children.pop(partition_id, None)
        self._lag_children.pop(partition_id, None)
        label = str(partition_id)
        for metric in (self.commands, self.consumer_lag):
            with contextlib.suppress(KeyError):  # never reported on this partition
                metric.remove(label)
        self.records.forget_partition(partition_id)

    def _commands(self, partition_id: int) -> Any:
        child = self._command_children.get(partition_id)
        if child is None:
            child = self._command_children[partition_id] = self.commands.labels(str(partition_id))
        return child


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
