"""Timers waiting to fire: by timer key, with a secondary index by due date (what the due
date checker reads), one by element instance (what leaving an element cancels) and one by
process definition for timer start events (what deploying a new version replaces)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from broker.protocol.values import TimerRecordValue
from processors.engine.kv_store import KeyValueStore, last_int, pack

_TIMERS = "timers"
_DUE = "timers_by_due_date"
_BY_ELEMENT = "timers_by_element"
_START = "timers_by_process"


class TimerReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: int) -> TimerRecordValue | None:
        raw = self._store.get(_TIMERS, pack(key))
        return None if raw is None else TimerRecordValue(**raw)

    def due_until(self, now_ms: int) -> list[int]:
        """Keys of the timers due at or before `now_ms`, earliest first."""
        due = []
        for index_key, _ in self._store.iterate(_DUE):
            if int.from_bytes(index_key[:8], "big") - (1 << 63) > now_ms:
                break
            due.append(last_int(index_key))
        return due

    def of_element(self, element_instance_key: int) -> Iterator[int]:
        for index_key, _ in self._store.iterate(_BY_ELEMENT, pack(element_instance_key)):
            yield last_int(index_key)

    def start_timers(self, process_definition_key: int) -> Iterator[int]:
        """Timers of the timer start events of a process definition."""
        for index_key, _ in self._store.iterate(_START, pack(process_definition_key)):
            yield last_int(index_key)


class TimerState(TimerReader):
    def put(self, key: int, value: TimerRecordValue) -> None:
        self.remove(key)
        self._store.put(_TIMERS, pack(key), asdict(value))
        self._store.put(_DUE, pack(value.due_date, key), 1)
        if value.element_instance_key == -1:
            self._store.put(_START, pack(value.process_definition_key, key), 1)
        else:
            self._store.put(_BY_ELEMENT, pack(value.element_instance_key, key), 1)

    def remove(self, key: int) -> None:
        old = self.get(key)
        if old is None:
            return
        self._store.delete(_TIMERS, pack(key))
        self._store.delete(_DUE, pack(old.due_date, key))
        self._store.delete(_BY_ELEMENT, pack(old.element_instance_key, key))
        self._store.delete(_START, pack(old.process_definition_key, key))
