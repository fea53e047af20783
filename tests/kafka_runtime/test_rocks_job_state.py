"""Jobs stored in RocksDB come back as they went in: the job's kinds (execution listener jobs)
as enum members, though the store keeps JSON text."""

from __future__ import annotations

from pathlib import Path

from broker.protocol.values import JobKind, JobListenerEventType, JobRecordValue
from processors.engine.state import JobStatus
from processors.engine.state.job_state import JobState
from processors.kafka.rocks_store import RocksKeyValueStore


def test_a_listener_job_keeps_its_kind_through_the_store(tmp_path: Path) -> None:
    store = RocksKeyValueStore(tmp_path / "db")
    value = JobRecordValue(
        type="audit",
        retries=3,
        job_kind=JobKind.EXECUTION_LISTENER,
        job_listener_event_type=JobListenerEventType.END,
    )
    element_job = JobRecordValue(type="work", retries=3)
    JobState(store).put(7, JobStatus.ACTIVATABLE, value)
    JobState(store).put(8, JobStatus.ACTIVATABLE, element_job)
    store.apply(store.take_changes(), None)
    job = JobState(store).get(7)  # a fresh reader: decoded from the stored JSON
    assert job is not None
    assert job.value.job_kind is JobKind.EXECUTION_LISTENER
    assert job.value.job_listener_event_type is JobListenerEventType.END
    assert job.value == value
    other = JobState(store).get(8)
    assert other is not None and other.value == element_job
    assert other.value.job_kind is JobKind.BPMN_ELEMENT
    store.close()
