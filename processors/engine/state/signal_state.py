"""Signal subscriptions (by key; by signal name, which a broadcast reads; by waiting element
instance, which leaving it closes; by BPMN process id for start events, which a new version
replaces) and the keys of broadcasts received from other partitions, so that a re-sent one
triggers nothing twice."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Final

from broker.protocol.values import SignalSubscriptionRecordValue
from processors.engine.kv_store import KeyValueStore, last_int, pack
from processors.engine.state.tenant_families import tenant_family

RECEIVED_RETENTION_MS: Final = 3_600_000
"""How long a received broadcast is remembered. Re-sends stop once the sender has the
acknowledgement, so duplicates arrive within seconds of the first copy (at most the backlog of
a partition that was down); an hour is far beyond that and keeps the set small."""

_SUBSCRIPTIONS = "signal_subscriptions"
_BY_NAME = "signal_subscriptions_by_name"
_BY_ELEMENT = "signal_subscriptions_by_element"
_START_BY_PROCESS = "signal_start_subscriptions_by_process"
_RECEIVED = "signals_received"
_RECEIVED_BY_TIME = "signals_received_by_time"


@dataclass(frozen=True, slots=True)
class SignalSubscription:
    key: int
    value: SignalSubscriptionRecordValue

    @property
    def is_start_event(self) -> bool:
        return self.value.catch_event_instance_key == -1


class SignalSubscriptionReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: int) -> SignalSubscription | None:
        raw = self._store.get(_SUBSCRIPTIONS, pack(key))
        return (
            None if raw is None else SignalSubscription(key, SignalSubscriptionRecordValue(**raw))
        )

    def _resolve(self, cf: str, prefix: bytes) -> list[SignalSubscription]:
        found = []
        for index_key, _ in self._store.iterate(cf, prefix):
            subscription = self.get(last_int(index_key))
            if subscription is not None:
                found.append(subscription)
        return found

    def by_name(self, signal_name: str, tenant_id: str) -> list[SignalSubscription]:
        """Every subscription of the tenant waiting for `signal_name`, oldest first."""
        return self._resolve(tenant_family(_BY_NAME, tenant_id), pack(signal_name))

    def of_element(self, element_instance_key: int) -> list[SignalSubscription]:
        """The subscriptions of one event scope (its catch elements)."""
        return self._resolve(_BY_ELEMENT, pack(element_instance_key))

    def start_subscriptions_of(
        self, bpmn_process_id: str, tenant_id: str
    ) -> list[SignalSubscription]:
        return self._resolve(tenant_family(_START_BY_PROCESS, tenant_id), pack(bpmn_process_id))

    def was_received(self, signal_key: int) -> bool:
        """A broadcast with this key was processed here already (a re-sent copy)."""
        return self._store.get(_RECEIVED, pack(signal_key)) is not None


class SignalSubscriptionState(SignalSubscriptionReader):
    def put(self, key: int, value: SignalSubscriptionRecordValue) -> None:
        tenant = value.tenant_id
        self._store.put(_SUBSCRIPTIONS, pack(key), asdict(value))
        self._store.put(tenant_family(_BY_NAME, tenant), pack(value.signal_name, key), 1)
        if value.catch_event_instance_key == -1:
            self._store.put(
                tenant_family(_START_BY_PROCESS, tenant), pack(value.bpmn_process_id, key), 1
            )
        else:
            self._store.put(_BY_ELEMENT, pack(value.catch_event_instance_key, key), 1)

    def remove(self, key: int) -> None:
        subscription = self.get(key)
        if subscription is None:
            return
        value = subscription.value
        tenant = value.tenant_id
        self._store.delete(_SUBSCRIPTIONS, pack(key))
        self._store.delete(tenant_family(_BY_NAME, tenant), pack(value.signal_name, key))
        self._store.delete(
            tenant_family(_START_BY_PROCESS, tenant), pack(value.bpmn_process_id, key)
        )
        self._store.delete(_BY_ELEMENT, pack(value.catch_event_instance_key, key))

    def mark_received(self, signal_key: int, timestamp: int) -> None:
        """Remember a broadcast and forget those older than the retention (relative to this
        record's time, so that replay rebuilds the same set)."""
        horizon = timestamp - RECEIVED_RETENTION_MS
        for index_key, _ in self._store.iterate(_RECEIVED_BY_TIME):
            received_at = int.from_bytes(index_key[:8], "big") - (1 << 63)
            if received_at >= horizon:
                break
            self._store.delete(_RECEIVED_BY_TIME, index_key)
            self._store.delete(_RECEIVED, pack(last_int(index_key)))
        self._store.put(_RECEIVED, pack(signal_key), timestamp)
        self._store.put(_RECEIVED_BY_TIME, pack(timestamp, signal_key), 1)
