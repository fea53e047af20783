"""Open incidents, by key, with indexes by element instance and by job so that resolving a
job or terminating an element finds its incidents."""

from __future__ import annotations

from dataclasses import asdict

from broker.protocol.values import ErrorType, IncidentRecordValue
from processors.engine.kv_store import KeyValueStore, last_int, pack

_INCIDENTS = "incidents"
_BY_ELEMENT = "incidents_by_element"
_BY_JOB = "incidents_by_job"


class IncidentReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: int) -> IncidentRecordValue | None:
        raw = self._store.get(_INCIDENTS, pack(key))
        if raw is None:
            return None
        return IncidentRecordValue(**{**raw, "error_type": ErrorType(raw["error_type"])})

    def for_element(self, element_instance_key: int) -> list[int]:
        return [
            last_int(k) for k, _ in self._store.iterate(_BY_ELEMENT, pack(element_instance_key))
        ]

    def for_job(self, job_key: int) -> int | None:
        value = self._store.get(_BY_JOB, pack(job_key))
        return None if value is None else int(value)

    def count(self) -> int:
        """Open incidents (a scan: for restoring a gauge, not for processing)."""
        return sum(1 for _ in self._store.iterate(_BY_ELEMENT))


class IncidentState(IncidentReader):
    def put(self, key: int, value: IncidentRecordValue) -> None:
        raw = asdict(value)
        raw["error_type"] = value.error_type.value
        self._store.put(_INCIDENTS, pack(key), raw)
        self._store.put(_BY_ELEMENT, pack(value.element_instance_key, key), 1)
        if value.job_key != -1:
            self._store.put(_BY_JOB, pack(value.job_key), key)

    def remove(self, key: int) -> None:
        value = self.get(key)
        if value is None:
            return
        self._store.delete(_INCIDENTS, pack(key))
        self._store.delete(_BY_ELEMENT, pack(value.element_instance_key, key))
        if value.job_key != -1:
            self._store.delete(_BY_JOB, pack(value.job_key))
