"""Message subscriptions, both halves: on the message's partition the MESSAGE_SUBSCRIPTION
(by key; by element instance and message name; by name and correlation key), on the instance's
partition the PROCESS_MESSAGE_SUBSCRIPTION; and the message start event subscriptions. Halves
waiting for the other partition's answer are indexed by the time to send again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from broker.protocol.intents import ProcessMessageSubscriptionIntent
from broker.protocol.values import (
    DEFAULT_TENANT_ID,
    MessageStartEventSubscriptionRecordValue,
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from processors.engine.kv_store import KeyValueStore, last_int, pack
from processors.engine.state.tenant_families import tenant_family

RESEND_AFTER_MS: Final = 10_000
"""A command to another partition not acknowledged within this time is sent again (Zeebe's
subscription timeout)."""

_MS = "msg_subscriptions"
_MS_BY_ELEMENT = "msg_subscriptions_by_element"
_MS_BY_NAME = "msg_subscriptions_by_name"
_MS_PENDING = "msg_subscriptions_pending"
_PMS = "process_msg_subscriptions"
_PMS_BY_ELEMENT = "process_msg_subscriptions_by_element"
_PMS_PENDING = "process_msg_subscriptions_pending"
_START = "msg_start_subscriptions"
_START_BY_NAME = "msg_start_subscriptions_by_name"
_START_BY_PROCESS = "msg_start_subscriptions_by_process"


_STATES = {
    s.value: s
    for s in (
        ProcessMessageSubscriptionIntent.CREATING,
        ProcessMessageSubscriptionIntent.CREATED,
        ProcessMessageSubscriptionIntent.DELETING,
    )
}
"""A stored subscription state (text in a persistent store) back to its member."""


@dataclass(frozen=True, slots=True)
class MessageSubscription:
    key: int
    value: MessageSubscriptionRecordValue
    correlating: bool
    """A message was sent to the instance and its answer is awaited."""
    resend_at: int = -1


@dataclass(frozen=True, slots=True)
class ProcessMessageSubscription:
    key: int
    value: ProcessMessageSubscriptionRecordValue
    state: ProcessMessageSubscriptionIntent
    """CREATING (not yet acknowledged), CREATED, or DELETING (not yet acknowledged): the last
    of these events applied."""
    resend_at: int = -1


@dataclass(frozen=True, slots=True)
class StartSubscription:
    key: int
    value: MessageStartEventSubscriptionRecordValue


_MS_FIELDS = (
    "process_instance_key",
    "element_instance_key",
    "process_definition_key",
    "bpmn_process_id",
    "message_name",
    "correlation_key",
    "message_key",
    "variables",
    "interrupting",
    "element_id",
)
_PMS_FIELDS = (
    "process_instance_key",
    "element_instance_key",
    "bpmn_process_id",
    "message_name",
    "correlation_key",
    "message_key",
    "interrupting",
    "element_id",
)
_START_FIELDS = ("process_definition_key", "bpmn_process_id", "start_event_id", "message_name")


def _due(store: KeyValueStore, cf: str, now_ms: int) -> list[int]:
    due = []
    for index_key, _ in store.iterate(cf):
        if int.from_bytes(index_key[:8], "big") - (1 << 63) > now_ms:
            break
        due.append(last_int(index_key))
    return due


class MessageSubscriptionReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    # -- the message partition's half
    def get(self, key: int) -> MessageSubscription | None:
        raw = self._store.get(_MS, pack(key))
        if raw is None:
            return None
        value = MessageSubscriptionRecordValue(
            **{name: raw["v"][i] for i, name in enumerate(_MS_FIELDS)},
            tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
        )
        return MessageSubscription(key, value, raw["c"], raw.get("r", -1))

    def for_element(
        self, element_instance_key: int, message_name: str
    ) -> MessageSubscription | None:
        key = self._store.get(_MS_BY_ELEMENT, pack(element_instance_key, message_name))
        return None if key is None else self.get(int(key))

    def waiting_for(
        self, message_name: str, correlation_key: str, tenant_id: str
    ) -> Iterator[MessageSubscription]:
        """Subscriptions of the tenant for a name and correlation key, oldest first."""
        by_name = tenant_family(_MS_BY_NAME, tenant_id)
        for index_key, _ in self._store.iterate(by_name, pack(message_name, correlation_key)):
            subscription = self.get(last_int(index_key))
            if subscription is not None:
                yield subscription

    def correlations_to_resend(self, now_ms: int) -> list[int]:
        return _due(self._store, _MS_PENDING, now_ms)

    # -- the process instance partition's half
    def process_subscription(self, key: int) -> ProcessMessageSubscription | None:
        raw = self._store.get(_PMS, pack(key))
        if raw is None:
            return None
        value = ProcessMessageSubscriptionRecordValue(
            **{name: raw["v"][i] for i, name in enumerate(_PMS_FIELDS)},
            tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
        )
        return ProcessMessageSubscription(key, value, _STATES[raw["s"]], raw.get("r", -1))

    def process_subscription_for(
        self, element_instance_key: int, message_name: str
    ) -> ProcessMessageSubscription | None:
        key = self._store.get(_PMS_BY_ELEMENT, pack(element_instance_key, message_name))
        return None if key is None else self.process_subscription(int(key))

    def process_subscriptions_of(
        self, element_instance_key: int
    ) -> list[ProcessMessageSubscription]:
        found = []
        for _, key in self._store.iterate(_PMS_BY_ELEMENT, pack(element_instance_key)):
            subscription = self.process_subscription(int(key))
            if subscription is not None:
                found.append(subscription)
        return found

    def process_subscriptions_to_resend(self, now_ms: int) -> list[int]:
        return _due(self._store, _PMS_PENDING, now_ms)

    # -- message start events
    def start_subscriptions(self, message_name: str, tenant_id: str) -> list[StartSubscription]:
        found = []
        by_name = tenant_family(_START_BY_NAME, tenant_id)
        for _, key in self._store.iterate(by_name, pack(message_name)):
            subscription = self.start_subscription(int(key))
            if subscription is not None:
                found.append(subscription)
        return found

    def start_subscriptions_of(
        self, bpmn_process_id: str, tenant_id: str
    ) -> list[StartSubscription]:
        found = []
        by_process = tenant_family(_START_BY_PROCESS, tenant_id)
        for _, key in self._store.iterate(by_process, pack(bpmn_process_id)):
            subscription = self.start_subscription(int(key))
            if subscription is not None:
                found.append(subscription)
        return found

    def start_subscription(self, key: int) -> StartSubscription | None:
        raw = self._store.get(_START, pack(key))
        if raw is None:
            return None
        # A fifth item is the tenant, written only for one other than the default.
        value = MessageStartEventSubscriptionRecordValue(
            **{name: raw[i] for i, name in enumerate(_START_FIELDS)},
            tenant_id=raw[4] if len(raw) > 4 else DEFAULT_TENANT_ID,
        )
        return StartSubscription(key, value)


class MessageSubscriptionState(MessageSubscriptionReader):
    def put(self, key: int, value: MessageSubscriptionRecordValue, *, resend_at: int = -1) -> None:
        """Store a subscription; `resend_at` ≥ 0 marks it correlating until then."""
        self.remove(key)
        raw: dict[str, Any] = {
            "v": [getattr(value, name) for name in _MS_FIELDS],
            "c": resend_at >= 0,
        }
        if value.tenant_id != DEFAULT_TENANT_ID:
            raw["tn"] = value.tenant_id
        if resend_at >= 0:
            raw["r"] = resend_at
            self._store.put(_MS_PENDING, pack(resend_at, key), 1)
        self._store.put(_MS, pack(key), raw)
        self._store.put(_MS_BY_ELEMENT, pack(value.element_instance_key, value.message_name), key)
        self._store.put(
            tenant_family(_MS_BY_NAME, value.tenant_id),
            pack(value.message_name, value.correlation_key, key),
            1,
        )

    def remove(self, key: int) -> None:
        old = self.get(key)
        if old is None:
            return
        v = old.value
        self._store.delete(_MS, pack(key))
        self._store.delete(_MS_BY_ELEMENT, pack(v.element_instance_key, v.message_name))
        self._store.delete(
            tenant_family(_MS_BY_NAME, v.tenant_id), pack(v.message_name, v.correlation_key, key)
        )
        if old.resend_at >= 0:
            self._store.delete(_MS_PENDING, pack(old.resend_at, key))

    def put_process_subscription(
        self,
        key: int,
        value: ProcessMessageSubscriptionRecordValue,
        state: ProcessMessageSubscriptionIntent,
        *,
        resend_at: int = -1,
    ) -> None:
        self.remove_process_subscription(key)
        raw: dict[str, Any] = {"v": [getattr(value, name) for name in _PMS_FIELDS], "s": state}
        if value.tenant_id != DEFAULT_TENANT_ID:
            raw["tn"] = value.tenant_id
        if resend_at >= 0:
            raw["r"] = resend_at
            self._store.put(_PMS_PENDING, pack(resend_at, key), 1)
        self._store.put(_PMS, pack(key), raw)
        self._store.put(_PMS_BY_ELEMENT, pack(value.element_instance_key, value.message_name), key)

    def remove_process_subscription(self, key: int) -> None:
        old = self.process_subscription(key)
        if old is None:
            return
        v = old.value
        self._store.delete(_PMS, pack(key))
        self._store.delete(_PMS_BY_ELEMENT, pack(v.element_instance_key, v.message_name))
        if old.resend_at >= 0:
            self._store.delete(_PMS_PENDING, pack(old.resend_at, key))

    def put_start_subscription(
        self, key: int, value: MessageStartEventSubscriptionRecordValue
    ) -> None:
        raw: list[Any] = [getattr(value, name) for name in _START_FIELDS]
        tenant = value.tenant_id
        if tenant != DEFAULT_TENANT_ID:
            raw.append(tenant)
        self._store.put(_START, pack(key), raw)
        self._store.put(tenant_family(_START_BY_NAME, tenant), pack(value.message_name, key), key)
        self._store.put(
            tenant_family(_START_BY_PROCESS, tenant), pack(value.bpmn_process_id, key), key
        )

    def remove_start_subscription(self, key: int) -> None:
        old = self.start_subscription(key)
        if old is None:
            return
        tenant = old.value.tenant_id
        self._store.delete(_START, pack(key))
        self._store.delete(tenant_family(_START_BY_NAME, tenant), pack(old.value.message_name, key))
        self._store.delete(
            tenant_family(_START_BY_PROCESS, tenant), pack(old.value.bpmn_process_id, key)
        )
