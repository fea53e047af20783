"""Buffered messages on their partition (by key; by name and correlation key in publishing
order; by deadline for expiry; by message id for deduplication), which process (BPMN id) each
message was already correlated to, and the message-start locks: at most one active instance
per (BPMN process id, correlation key)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from broker.protocol.values import DEFAULT_TENANT_ID, MessageRecordValue
from processors.engine.kv_store import KeyValueStore, last_int, pack
from processors.engine.state.tenant_families import tenant_family

_MESSAGES = "messages"
_BY_NAME = "messages_by_name"
_BY_DEADLINE = "messages_by_deadline"
_BY_ID = "messages_by_id"
_CORRELATED = "messages_correlated"
_START_LOCKS = "message_start_locks"
_STARTED = "message_started_instances"


@dataclass(frozen=True, slots=True)
class StoredMessage:
    key: int
    value: MessageRecordValue


@dataclass(frozen=True, slots=True)
class MessageStartedInstance:
    """An instance started by a message: its start event and the correlation key it locks."""

    bpmn_process_id: str
    start_event_id: str
    correlation_key: str
    tenant_id: str = DEFAULT_TENANT_ID


class MessageReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: int) -> StoredMessage | None:
        raw = self._store.get(_MESSAGES, pack(key))
        if raw is None:
            return None
        value = MessageRecordValue(
            name=raw["n"],
            correlation_key=raw["c"],
            message_id=raw.get("i", ""),
            time_to_live=raw["t"],
            deadline=raw["d"],
            variables=raw.get("v", {}),
            tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
        )
        return StoredMessage(key, value)

    def buffered(self, name: str, correlation_key: str, tenant_id: str) -> Iterator[StoredMessage]:
        """The tenant's messages of a name and correlation key, oldest first."""
        by_name = tenant_family(_BY_NAME, tenant_id)
        for index_key, _ in self._store.iterate(by_name, pack(name, correlation_key)):
            message = self.get(last_int(index_key))
            if message is not None:
                yield message

    def exists_with_id(
        self, name: str, correlation_key: str, message_id: str, tenant_id: str
    ) -> bool:
        found = self._store.get(
            tenant_family(_BY_ID, tenant_id), pack(name, correlation_key, message_id)
        )
        return found is not None

    def deadlines_until(self, now_ms: int) -> list[int]:
        due = []
        for index_key, _ in self._store.iterate(_BY_DEADLINE):
            if int.from_bytes(index_key[:8], "big") - (1 << 63) > now_ms:
                break
            due.append(last_int(index_key))
        return due

    def correlated_to(self, message_key: int, bpmn_process_id: str) -> bool:
        return self._store.get(_CORRELATED, pack(message_key, bpmn_process_id)) is not None

    def active_start(
        self, bpmn_process_id: str, correlation_key: str, tenant_id: str
    ) -> int | None:
        """The active instance a message with this correlation key started, if any."""
        value = self._store.get(
            tenant_family(_START_LOCKS, tenant_id), pack(bpmn_process_id, correlation_key)
        )
        return None if value is None else int(value)

    def started_instance(self, process_instance_key: int) -> MessageStartedInstance | None:
        raw = self._store.get(_STARTED, pack(process_instance_key))
        if raw is None:
            return None
        return MessageStartedInstance(
            raw["b"], raw["e"], raw["c"], raw.get("tn", DEFAULT_TENANT_ID)
        )


class MessageState(MessageReader):
    def put(self, key: int, value: MessageRecordValue) -> None:
        raw: dict[str, Any] = {
            "n": value.name,
            "c": value.correlation_key,
            "t": value.time_to_live,
            "d": value.deadline,
        }
        tenant = value.tenant_id
        if tenant != DEFAULT_TENANT_ID:
            raw["tn"] = tenant
        if value.message_id:
            raw["i"] = value.message_id
            self._store.put(
                tenant_family(_BY_ID, tenant),
                pack(value.name, value.correlation_key, value.message_id),
                key,
            )
        if value.variables:
            raw["v"] = value.variables
        self._store.put(_MESSAGES, pack(key), raw)
        self._store.put(
            tenant_family(_BY_NAME, tenant), pack(value.name, value.correlation_key, key), 1
        )
        self._store.put(_BY_DEADLINE, pack(value.deadline, key), 1)

    def remove(self, key: int) -> None:
        """Forget a message with its indexes and the record of where it was correlated."""
        message = self.get(key)
        if message is None:
            return
        value = message.value
        tenant = value.tenant_id
        self._store.delete(_MESSAGES, pack(key))
        self._store.delete(
            tenant_family(_BY_NAME, tenant), pack(value.name, value.correlation_key, key)
        )
        self._store.delete(_BY_DEADLINE, pack(value.deadline, key))
        if value.message_id:
            self._store.delete(
                tenant_family(_BY_ID, tenant),
                pack(value.name, value.correlation_key, value.message_id),
            )
        for index_key, _ in self._store.iterate(_CORRELATED, pack(key)):
            self._store.delete(_CORRELATED, index_key)

    def put_correlated(self, message_key: int, bpmn_process_id: str) -> None:
        # Only while the message is buffered: a gone message can correlate no more.
        if self.get(message_key) is not None:
            self._store.put(_CORRELATED, pack(message_key, bpmn_process_id), 1)

    def remove_correlated(self, message_key: int, bpmn_process_id: str) -> None:
        self._store.delete(_CORRELATED, pack(message_key, bpmn_process_id))

    def put_started(self, process_instance_key: int, started: MessageStartedInstance) -> None:
        raw = {
            "b": started.bpmn_process_id,
            "e": started.start_event_id,
            "c": started.correlation_key,
        }
        if started.tenant_id != DEFAULT_TENANT_ID:
            raw["tn"] = started.tenant_id
        self._store.put(_STARTED, pack(process_instance_key), raw)
        if started.correlation_key:
            self._store.put(
                tenant_family(_START_LOCKS, started.tenant_id),
                pack(started.bpmn_process_id, started.correlation_key),
                process_instance_key,
            )

    def remove_started(self, process_instance_key: int) -> None:
        started = self.started_instance(process_instance_key)
        if started is None:
            return
        self._store.delete(_STARTED, pack(process_instance_key))
        lock = pack(started.bpmn_process_id, started.correlation_key)
        locks = tenant_family(_START_LOCKS, started.tenant_id)
        if self._store.get(locks, lock) == process_instance_key:
            self._store.delete(locks, lock)
