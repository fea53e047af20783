"""Camunda user tasks by key, each with its lifecycle state (`user_task_lifecycle`), and the
task of each element instance (to cancel it when the element is terminated). The task's
variables are not kept: they live in the element's scopes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from broker.protocol.value_codec import codec_for
from broker.protocol.values import UserTaskRecordValue
from processors.engine.kv_store import KeyValueStore, pack_int
from processors.engine.state.user_task_lifecycle import UserTaskLifecycle

_TASKS = "user_tasks"
_BY_ELEMENT = "user_tasks_by_element"
_CODEC = codec_for(UserTaskRecordValue)


@dataclass(frozen=True, slots=True)
class StoredUserTask:
    key: int
    state: UserTaskLifecycle
    value: UserTaskRecordValue


class UserTaskReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: int) -> StoredUserTask | None:
        raw = self._store.get(_TASKS, pack_int(key))
        if raw is None:
            return None
        return StoredUserTask(key, UserTaskLifecycle(raw["s"]), _CODEC.decode(raw["v"]))

    def for_element(self, element_instance_key: int) -> StoredUserTask | None:
        key = self._store.get(_BY_ELEMENT, pack_int(element_instance_key))
        return None if key is None else self.get(int(key))


class UserTaskState(UserTaskReader):
    def put(self, key: int, state: UserTaskLifecycle, value: UserTaskRecordValue) -> None:
        stored = value if not value.variables else dataclasses.replace(value, variables={})
        # As JSON holds it (the codec leaves the string lists as tuples, which decode refuses).
        fields = {k: list(v) if type(v) is tuple else v for k, v in _CODEC.encode(stored).items()}
        self._store.put(_TASKS, pack_int(key), {"s": state.value, "v": fields})
        self._store.put(_BY_ELEMENT, pack_int(value.element_instance_key), key)

    def remove(self, key: int) -> None:
        task = self.get(key)
        if task is None:
            return
        self._store.delete(_TASKS, pack_int(key))
        self._store.delete(_BY_ELEMENT, pack_int(task.value.element_instance_key))
