"""Event triggers (Zeebe's EventScopeInstanceState): an event that happened for an event scope
and is waiting to be acted on — the catch element it activates and the variables it carries.

The event scope is the element instance that was interrupted or triggered (the activity of a
boundary event, the container of an event subprocess, the catch event itself), or the process
definition key for start events. A trigger is written by PROCESS_EVENT TRIGGERING and removed
by PROCESS_EVENT TRIGGERED or when its scope ends. Several can wait for one scope (a
non-interrupting event subprocess fired twice in one batch); they are kept in event key order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from processors.engine.kv_store import KeyValueStore, last_int, pack_int, pack_ints

_TRIGGERS = "event_triggers"


@dataclass(frozen=True, slots=True)
class EventTrigger:
    scope_key: int
    event_key: int
    element_id: str
    """The catch element the event activates (boundary event, start event, catch event...)."""
    variables: dict[str, Any]
    process_instance_key: int


class EventScopeReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def triggers(self, scope_key: int) -> Iterator[EventTrigger]:
        for key, raw in self._store.iterate(_TRIGGERS, pack_int(scope_key)):
            yield EventTrigger(scope_key, last_int(key), raw["e"], raw.get("v", {}), raw["p"])

    def peek(self, scope_key: int) -> EventTrigger | None:
        """The oldest trigger of a scope."""
        for trigger in self.triggers(scope_key):
            return trigger
        return None


class EventScopeState(EventScopeReader):
    def put(self, trigger: EventTrigger) -> None:
        raw: dict[str, Any] = {"e": trigger.element_id, "p": trigger.process_instance_key}
        if trigger.variables:
            raw["v"] = trigger.variables
        self._store.put(_TRIGGERS, pack_ints(trigger.scope_key, trigger.event_key), raw)

    def remove(self, scope_key: int, event_key: int) -> None:
        self._store.delete(_TRIGGERS, pack_ints(scope_key, event_key))

    def remove_scope(self, scope_key: int) -> None:
        for key, _ in self._store.iterate(_TRIGGERS, pack_int(scope_key)):
            self._store.delete(_TRIGGERS, key)
