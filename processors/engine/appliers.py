"""Event appliers: the only code that changes state. One function per (value type, intent)
of an event, registered in `APPLIERS`; an event without an applier changes nothing. Replaying
the events of a partition through `apply_event` rebuilds its state exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from processors.engine.decision_appliers import DECISION_APPLIERS
from processors.engine.deployment_appliers import DEPLOYMENT_APPLIERS
from processors.engine.instance_appliers import INSTANCE_APPLIERS
from processors.engine.job_appliers import JOB_APPLIERS
from processors.engine.message_appliers import FOLLOWING_APPLIERS, MESSAGE_APPLIERS
from processors.engine.migration_appliers import MIGRATION_APPLIERS
from processors.engine.process_event_appliers import PROCESS_EVENT_APPLIERS
from processors.engine.resource_deletion_appliers import RESOURCE_DELETION_APPLIERS
from processors.engine.signal_appliers import SIGNAL_APPLIERS
from processors.engine.state import EngineState
from processors.engine.timer_appliers import TIMER_APPLIERS
from processors.engine.user_task_appliers import USER_TASK_APPLIERS

Applier = Callable[[Record[Any], EngineState], None]

APPLIERS: dict[tuple[ValueType, Intent], Applier] = {
    **DEPLOYMENT_APPLIERS,
    **INSTANCE_APPLIERS,
    **JOB_APPLIERS,
    **MESSAGE_APPLIERS,
    **TIMER_APPLIERS,
    **PROCESS_EVENT_APPLIERS,
    **SIGNAL_APPLIERS,
    **USER_TASK_APPLIERS,
    **DECISION_APPLIERS,
    **MIGRATION_APPLIERS,
    **RESOURCE_DELETION_APPLIERS,
}


def _then(first: Applier, second: Applier) -> Applier:
    def apply(record: Record[Any], state: EngineState) -> None:
        first(record, state)
        second(record, state)

    return apply


EVENT_APPLIERS: dict[tuple[ValueType, Intent], Applier] = {
    kind: _then(APPLIERS[kind], following) if kind in APPLIERS else following
    for kind, following in FOLLOWING_APPLIERS.items()
}
"""Per event kind the one function that applies it: its applier, then the following one."""
for _kind, _applier in APPLIERS.items():
    EVENT_APPLIERS.setdefault(_kind, _applier)


def apply_event(record: Record[Any], state: EngineState) -> None:
    applier = EVENT_APPLIERS.get((record.value_type, record.intent))
    if applier is not None:
        applier(record, state)
