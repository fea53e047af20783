"""The element-instance lifecycle, as data.

An element instance's state is the last lifecycle event applied to it, a
`ProcessInstanceIntent` member. It is born ELEMENT_ACTIVATING and moves only along
`TRANSITIONS`, as in Zeebe:

    ELEMENT_ACTIVATING  → ELEMENT_ACTIVATED | ELEMENT_TERMINATING
    ELEMENT_ACTIVATED   → ELEMENT_COMPLETING | ELEMENT_TERMINATING
    ELEMENT_COMPLETING  → ELEMENT_COMPLETED | ELEMENT_TERMINATING
    ELEMENT_TERMINATING → ELEMENT_TERMINATED

ELEMENT_COMPLETED and ELEMENT_TERMINATED are final: the instance is removed. An instance
stopped by an incident while ACTIVATING or COMPLETING may still be terminated (canceled).

The appliers move instances (`instance_appliers`), and only through `check`: a processor that
writes a lifecycle event an instance cannot take raises `IllegalTransition` while the event is
applied, so the command becomes a PROCESSING_ERROR rejection and its results are dropped,
instead of an instance in a state the rest of the engine does not expect.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from broker.protocol.intents import ProcessInstanceIntent

ACTIVATING = ProcessInstanceIntent.ELEMENT_ACTIVATING
ACTIVATED = ProcessInstanceIntent.ELEMENT_ACTIVATED
COMPLETING = ProcessInstanceIntent.ELEMENT_COMPLETING
COMPLETED = ProcessInstanceIntent.ELEMENT_COMPLETED
TERMINATING = ProcessInstanceIntent.ELEMENT_TERMINATING
TERMINATED = ProcessInstanceIntent.ELEMENT_TERMINATED

INITIAL = ACTIVATING
TRANSITIONS: Mapping[ProcessInstanceIntent, frozenset[ProcessInstanceIntent]] = MappingProxyType(
    {
        ACTIVATING: frozenset({ACTIVATED, TERMINATING}),
        ACTIVATED: frozenset({COMPLETING, TERMINATING}),
        COMPLETING: frozenset({COMPLETED, TERMINATING}),
        TERMINATING: frozenset({TERMINATED}),
        COMPLETED: frozenset(),
        TERMINATED: frozenset(),
    }
)
ACTIVE = frozenset({ACTIVATING, ACTIVATED})
"""States in which an instance is still running towards completion (may take events)."""
FINAL = frozenset(state for state, following in TRANSITIONS.items() if not following)

# Decoding a stored state (text in a persistent store) back to its member.
BY_NAME: Mapping[str, ProcessInstanceIntent] = MappingProxyType({s.value: s for s in TRANSITIONS})


class IllegalTransition(Exception):
    """A lifecycle event that the element instance's state does not allow (an engine defect)."""

    def __init__(self, key: int, state: ProcessInstanceIntent, intent: ProcessInstanceIntent):
        super().__init__(
            f"element instance {key} in state {state.value} cannot take {intent.value};"
            f" allowed: {', '.join(sorted(s.value for s in TRANSITIONS[state])) or 'none'}"
        )
        self.key, self.state, self.intent = key, state, intent


ALLOWED_FROM: Mapping[ProcessInstanceIntent, frozenset[ProcessInstanceIntent]] = MappingProxyType(
    {
        intent: frozenset(state for state, following in TRANSITIONS.items() if intent in following)
        for intent in TRANSITIONS
    }
)
"""The states from which an instance may take each lifecycle event (TRANSITIONS read the other
way round: the appliers test `state in ALLOWED_FROM[intent]`, looked up once per applier)."""


def check(key: int, state: ProcessInstanceIntent, intent: ProcessInstanceIntent) -> None:
    """Raise IllegalTransition unless an instance in `state` may take lifecycle event `intent`."""
    if intent not in TRANSITIONS[state]:
        raise IllegalTransition(key, state, intent)
