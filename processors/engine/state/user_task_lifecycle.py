"""The user-task lifecycle, as data (Zeebe 8.8's `LifecycleState` of a user task).

A task is born CREATING and is CREATED once created; a command on it moves it to a transient
state that its next event ends, within the same command (Honeyflow has no task listeners, which
are what keeps a task in a transient state in Zeebe):

    CREATING   → CREATED                   (CREATED)
    CREATED    → ASSIGNING | CLAIMING      (ASSIGN / CLAIM → ASSIGNED → CREATED)
               | UPDATING                  (UPDATE → UPDATED → CREATED)
               | COMPLETING                (COMPLETE → COMPLETED: the task is removed)
               | CANCELING                 (element terminated → CANCELED: removed)
    CREATING   → CANCELING                 (terminated before it was created)

Commands are accepted only on a CREATED task (else INVALID_STATE). The appliers move tasks only
through `check`, so a processor that writes an event a task cannot take fails its command
(a PROCESSING_ERROR rejection) instead of leaving a task in a state nothing expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from broker.protocol.intents import UserTaskIntent as I


class UserTaskLifecycle(StrEnum):
    CREATING = "CREATING"
    CREATED = "CREATED"
    ASSIGNING = "ASSIGNING"
    CLAIMING = "CLAIMING"
    UPDATING = "UPDATING"
    COMPLETING = "COMPLETING"
    CANCELING = "CANCELING"


L = UserTaskLifecycle

TRANSITIONS: Mapping[L, frozenset[L]] = MappingProxyType(
    {
        L.CREATING: frozenset({L.CREATED, L.CANCELING}),
        L.CREATED: frozenset({L.ASSIGNING, L.CLAIMING, L.UPDATING, L.COMPLETING, L.CANCELING}),
        L.ASSIGNING: frozenset({L.CREATED}),
        L.CLAIMING: frozenset({L.CREATED}),
        L.UPDATING: frozenset({L.CREATED}),
        L.COMPLETING: frozenset(),
        L.CANCELING: frozenset(),
    }
)

ENTERS: Mapping[I, L] = MappingProxyType(
    {
        I.CREATING: L.CREATING,
        I.CREATED: L.CREATED,
        I.ASSIGNING: L.ASSIGNING,
        I.CLAIMING: L.CLAIMING,
        I.ASSIGNED: L.CREATED,
        I.UPDATING: L.UPDATING,
        I.UPDATED: L.CREATED,
        I.COMPLETING: L.COMPLETING,
        I.CANCELING: L.CANCELING,
    }
)
"""The state each event leaves the task in (COMPLETED and CANCELED remove it)."""

FINAL_FROM: Mapping[I, L] = MappingProxyType({I.COMPLETED: L.COMPLETING, I.CANCELED: L.CANCELING})
"""The events that end a task, and the state it must be in to take them."""


class IllegalUserTaskTransition(Exception):
    """An event that the user task's state does not allow (an engine defect)."""

    def __init__(self, key: int, state: L, intent: I) -> None:
        super().__init__(f"user task {key} in state {state.value} cannot take {intent.value}")


def check(key: int, state: L, intent: I) -> None:
    final_from = FINAL_FROM.get(intent)
    if final_from is not None:
        if state is not final_from:
            raise IllegalUserTaskTransition(key, state, intent)
        return
    target = ENTERS[intent]
    if target not in TRANSITIONS[state]:
        raise IllegalUserTaskTransition(key, state, intent)
