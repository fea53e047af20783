"""Jobs and their secondary indexes: activatable jobs by tenant and type (in key order, so
the oldest job is handed out first), activated jobs by deadline, failed jobs by back-off due
time."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from broker.protocol.fast_init import fast_replacer, unchecked_builder
from broker.protocol.values import (
    DEFAULT_TENANT_ID,
    JobKind,
    JobListenerEventType,
    JobRecordValue,
)
from processors.engine.kv_store import (
    KeyValueStore,
    last_int,
    pack,
    pack_int,
    pack_ints,
    pack_text_int,
)
from processors.engine.state.tenant_families import tenant_family

_JOBS = "jobs"
_ACTIVATABLE = "jobs_activatable"
_DEADLINES = "jobs_deadlines"
_BACKOFF = "jobs_backoff"


class JobStatus(StrEnum):
    ACTIVATABLE = "ACTIVATABLE"
    ACTIVATED = "ACTIVATED"
    FAILED = "FAILED"
    """Failed with no retries left (an incident) or waiting for its back-off."""
    ERROR_THROWN = "ERROR_THROWN"


@dataclass(frozen=True, slots=True)
class StoredJob:
    key: int
    status: JobStatus
    value: JobRecordValue


_FIELDS = (
    "type",
    "custom_headers",
    "worker",
    "retries",
    "retry_backoff",
    "recurring_time",
    "deadline",
    "timeout",
    "error_message",
    "error_code",
    "element_id",
    "element_instance_key",
    "bpmn_process_id",
    "process_definition_version",
    "process_definition_key",
    "process_instance_key",
    "job_kind",
    "job_listener_event_type",
)
_decode_value = unchecked_builder(JobRecordValue, _FIELDS)
# An element's own job (the common case) is stored without its kinds, which are the defaults.
_ELEMENT_JOB_FIELDS = _FIELDS[:-2]
_decode_element_job = unchecked_builder(JobRecordValue, _ELEMENT_JOB_FIELDS)
_encode_fields = operator.attrgetter(*_FIELDS)
_without_variables = fast_replacer(JobRecordValue, ("variables", "tenant_id"))
_TYPE = _FIELDS.index("type")
_DEADLINE = _FIELDS.index("deadline")
_KIND = _FIELDS.index("job_kind")
_LISTENER_EVENT = _FIELDS.index("job_listener_event_type")
_RECURRING_TIME = _FIELDS.index("recurring_time")


_DECODED_LIMIT = 65_536


class JobReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        # Decoded jobs with the stored value each came from (as for element instances: a
        # stored value is never mutated, so while the store returns that very object the
        # decoded job is current). A job is read several times per event that touches it.
        self._decoded: dict[int, tuple[Any, StoredJob]] = {}

    def get(self, key: int) -> StoredJob | None:
        raw = self._store.get(_JOBS, pack_int(key))
        if raw is None:
            return None
        cached = self._decoded.get(key)
        if cached is not None and cached[0] is raw:
            return cached[1]
        fields = raw["v"]
        if len(fields) == len(_ELEMENT_JOB_FIELDS):
            value = _decode_element_job(*fields)
        else:
            value = _decode_value(*_with_enums(fields))
        tenant = raw.get("tn")
        if tenant is not None:
            value = _without_variables(value, {}, tenant)
        job = StoredJob(key, JobStatus(raw["s"]), value)
        self._remember(key, raw, job)
        return job

    def _remember(self, key: int, raw: Any, job: StoredJob) -> None:
        if len(self._decoded) >= _DECODED_LIMIT:
            self._decoded.clear()
        self._decoded[key] = (raw, job)

    def activatable(self, job_type: str, tenant_id: str) -> Iterator[int]:
        """The tenant's activatable jobs of `job_type`, oldest first."""
        for index_key, _ in self._store.iterate(
            tenant_family(_ACTIVATABLE, tenant_id), pack(job_type)
        ):
            yield last_int(index_key)

    def deadlines_until(self, now_ms: int) -> list[int]:
        return _due(self._store, _DEADLINES, now_ms)

    def backoffs_until(self, now_ms: int) -> list[int]:
        return _due(self._store, _BACKOFF, now_ms)


def _with_enums(fields: list[Any]) -> list[Any]:
    """The stored fields with the job's kinds as enum members: a persistent store gives back
    their JSON text (the in-memory one the members themselves)."""
    if fields[_KIND].__class__ is str:
        fields = list(fields)
        fields[_KIND] = JobKind(fields[_KIND])
        fields[_LISTENER_EVENT] = JobListenerEventType(fields[_LISTENER_EVENT])
    return fields


def _due(store: KeyValueStore, cf: str, now_ms: int) -> list[int]:
    due = []
    for index_key, _ in store.iterate(cf):
        if int.from_bytes(index_key[:8], "big") - (1 << 63) > now_ms:
            break
        due.append(last_int(index_key))
    return due


class JobState(JobReader):
    def put(self, key: int, status: JobStatus, value: JobRecordValue) -> None:
        """Store the job and keep every index in step with its status."""
        self._unindex(key)
        # Not the variables: they live in their scopes (`_FIELDS` leaves them out).
        fields = list(_encode_fields(value))
        if value.job_kind is JobKind.BPMN_ELEMENT:
            del fields[_KIND:]
        raw: dict[str, Any] = {"s": status.value, "v": fields}
        tenant = value.tenant_id
        if tenant != DEFAULT_TENANT_ID:
            raw["tn"] = tenant
        self._store.put(_JOBS, pack_int(key), raw)
        # The job as `get` would decode it, without decoding it.
        if value.variables:
            value = _without_variables(value, {}, tenant)
        self._remember(key, raw, StoredJob(key, status, value))
        if status is JobStatus.ACTIVATABLE:
            self._store.put(tenant_family(_ACTIVATABLE, tenant), pack_text_int(value.type, key), 1)
        elif status is JobStatus.ACTIVATED:
            self._store.put(_DEADLINES, pack_ints(value.deadline, key), 1)
        elif status is JobStatus.FAILED and value.retries > 0 and value.recurring_time >= 0:
            self._store.put(_BACKOFF, pack_ints(value.recurring_time, key), 1)

    def remove(self, key: int) -> None:
        self._unindex(key)
        self._store.delete(_JOBS, pack_int(key))
        self._decoded.pop(key, None)

    def _unindex(self, key: int) -> None:
        # From the stored status and fields (decoding the whole job for them costs more): the
        # one index entry `put` made for that status.
        raw = self._store.get(_JOBS, pack_int(key))
        if raw is None:
            return
        status = raw["s"]
        fields = raw["v"]
        if status == "ACTIVATABLE":
            self._store.delete(
                tenant_family(_ACTIVATABLE, raw.get("tn", DEFAULT_TENANT_ID)),
                pack_text_int(fields[_TYPE], key),
            )
        elif status == "ACTIVATED":
            self._store.delete(_DEADLINES, pack_ints(fields[_DEADLINE], key))
        elif status == "FAILED":
            self._store.delete(_BACKOFF, pack_ints(fields[_RECURRING_TIME], key))
