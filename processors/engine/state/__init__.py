"""The partition's state: small domain stores over one key-value store.

Processors get `StateReaders` (read-only views, enforced by the type checker); event appliers
get `EngineState`, the same objects with their write methods. Nothing else writes state.
"""

from __future__ import annotations

from dataclasses import dataclass

from processors.engine.kv_store import KeyValueStore
from processors.engine.state.decision_state import DecisionReader, DecisionState
from processors.engine.state.distribution_state import DistributionReader, DistributionState
from processors.engine.state.element_instance_state import (
    ElementInstance,
    ElementInstanceReader,
    ElementInstanceState,
)
from processors.engine.state.event_scope_state import (
    EventScopeReader,
    EventScopeState,
    EventTrigger,
)
from processors.engine.state.form_state import DeployedForm, FormReader, FormState
from processors.engine.state.incident_state import IncidentReader, IncidentState
from processors.engine.state.job_state import JobReader, JobState, JobStatus, StoredJob
from processors.engine.state.message_state import MessageReader, MessageState
from processors.engine.state.message_subscription_state import (
    MessageSubscriptionReader,
    MessageSubscriptionState,
)
from processors.engine.state.meta_state import MetaState
from processors.engine.state.process_state import DeployedProcess, ProcessReader, ProcessState
from processors.engine.state.signal_state import SignalSubscriptionReader, SignalSubscriptionState
from processors.engine.state.timer_state import TimerReader, TimerState
from processors.engine.state.user_task_state import StoredUserTask, UserTaskReader, UserTaskState
from processors.engine.state.variable_state import VariableReader, VariableState


@dataclass(frozen=True, slots=True)
class StateReaders:
    processes: ProcessReader
    elements: ElementInstanceReader
    variables: VariableReader
    jobs: JobReader
    incidents: IncidentReader
    distributions: DistributionReader
    messages: MessageReader
    message_subscriptions: MessageSubscriptionReader
    timers: TimerReader
    event_scopes: EventScopeReader
    signal_subscriptions: SignalSubscriptionReader
    user_tasks: UserTaskReader
    forms: FormReader
    decisions: DecisionReader


class EngineState:
    """Every domain of one partition over `store`."""

    def __init__(self, store: KeyValueStore, partition_id: int) -> None:
        self.store = store
        self.meta = MetaState(store, partition_id)
        self.processes = ProcessState(store)
        self.elements = ElementInstanceState(store)
        self.variables = VariableState(store, self.elements)
        self.jobs = JobState(store)
        self.incidents = IncidentState(store)
        self.distributions = DistributionState(store)
        self.messages = MessageState(store)
        self.message_subscriptions = MessageSubscriptionState(store)
        self.timers = TimerState(store)
        self.event_scopes = EventScopeState(store)
        self.signal_subscriptions = SignalSubscriptionState(store)
        self.user_tasks = UserTaskState(store)
        self.forms = FormState(store)
        self.decisions = DecisionState(store)
        self.readers = StateReaders(
            processes=self.processes,
            elements=self.elements,
            variables=self.variables,
            jobs=self.jobs,
            incidents=self.incidents,
            distributions=self.distributions,
            messages=self.messages,
            message_subscriptions=self.message_subscriptions,
            timers=self.timers,
            event_scopes=self.event_scopes,
            signal_subscriptions=self.signal_subscriptions,
            user_tasks=self.user_tasks,
            forms=self.forms,
            decisions=self.decisions,
        )

    def flush_pending(self) -> None:
        """Write state changes kept in memory during a command batch to the store; the engine
        calls this before every commit (see `ElementInstanceState`)."""
        self.elements.flush()
        self.meta.flush()

    def discard_pending(self) -> None:
        """Forget them instead (the store's changes are discarded too)."""
        self.elements.discard_pending()
        self.meta.discard_pending()


__all__ = [
    "DeployedForm",
    "DeployedProcess",
    "ElementInstance",
    "EngineState",
    "EventTrigger",
    "JobStatus",
    "StateReaders",
    "StoredJob",
    "StoredUserTask",
]
