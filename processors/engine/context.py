"""What a command processor sees: the command, read-only state, the writers, the partition's
key generator, the time of processing, and the engine's element and subscription tables.
Processors never touch anything else."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from broker.protocol import Intent, Record, RejectionType
from broker.protocol.values import RecordValue
from processors.engine.input_collection_memo import InputCollectionMemo
from processors.engine.results import ResultBuilder
from processors.engine.side_effects import PublishJob, RetractJob
from processors.engine.state import StateReaders

if TYPE_CHECKING:  # both import this module
    from broker.protocol.values import BpmnEventType
    from processors.engine.bpmn.element_registry import ElementProcessors
    from processors.engine.bpmn.event_subscriptions import SubscriptionKind


@dataclass(frozen=True, slots=True)
class AwaitingResult:
    """A CREATE_WITH_AWAITING_RESULT request waiting for its instance to complete. Like the
    request stream in Zeebe's record metadata it belongs to a connection, not to the log."""

    request_id: int
    fetch_variables: tuple[str, ...]


class ProcessingContext:
    __slots__ = (
        "_awaiting",
        "command",
        "element_processors",
        "event",
        "follow_up",
        "input_collections",
        "loop_exhausted",
        "next_key",
        "now_ms",
        "partition_count",
        "partition_id",
        "request_id",
        "state",
        "subscription_kinds",
        "timers_due_now",
        "writers",
    )

    def __init__(
        self,
        *,
        command: Record[Any],
        request_id: int | None,
        state: StateReaders,
        writers: ResultBuilder,
        next_key: Callable[[], int],
        now_ms: int,
        partition_id: int,
        partition_count: int,
        awaiting: MutableMapping[int, AwaitingResult],
        element_processors: ElementProcessors,
        subscription_kinds: Mapping[BpmnEventType, SubscriptionKind],
        input_collections: InputCollectionMemo | None = None,
    ) -> None:
        self.command = command
        self.request_id = request_id
        self.state = state
        self.writers = writers
        # The writers' own methods: a call less on the path of every record written.
        self.event: Callable[[int, Intent, RecordValue], Record[Any]] = writers.event
        self.follow_up: Callable[[int, Intent, RecordValue], Record[Any]] = writers.follow_up
        self.next_key = next_key
        self.element_processors = element_processors
        self.subscription_kinds = subscription_kinds
        """The partition's key generator: a new key per call."""
        self.now_ms = now_ms
        self.partition_id = partition_id
        self.partition_count = partition_count
        self._awaiting = awaiting
        self.input_collections = (
            InputCollectionMemo() if input_collections is None else input_collections
        )
        """Multi-instance input collections evaluated before (the engine keeps them)."""
        self.loop_exhausted = False
        """Set by the engine once the batch took `MAX_STEPS_IN_A_ROW` steps in a row: elements
        raise an incident instead of activating (see loop_guard)."""
        self.timers_due_now: list[int] = []
        """Timers created due at the time of the command: the engine triggers them in this
        batch, so that a timer cycle counts against the loop guard."""

    def respond(self, record: Record[Any]) -> None:
        self.writers.respond(self.request_id, record)

    def reject(self, rejection_type: RejectionType, reason: str) -> None:
        rejection = self.writers.reject(self.command, rejection_type, reason)
        self.writers.respond(self.request_id, rejection)

    def send(self, partition_id: int, command: Record[Any]) -> None:
        if not 1 <= partition_id <= self.partition_count:  # a key from a hand-written command
            raise CommandRejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to send {command.value_type} {command.intent} to partition"
                f" {partition_id}, but the cluster has partitions 1..{self.partition_count}",
            )
        self.writers.send(partition_id, command)

    def publish_job(self, job_key: int, record: Record[Any]) -> None:
        """Ask the runtime to make job `job_key` available to its workers (a side effect, kept
        only if the job is still activatable when the batch ends); `record` made it so."""
        self.writers.side_effect(PublishJob(job_key, record))

    def retract_job(self, job_key: int, job_type: str, tenant_id: str) -> None:
        """Tell the runtime that job `job_key` ended (a side effect, kept only if the job is
        gone when the batch ends)."""
        self.writers.side_effect(RetractJob(job_key, job_type, tenant_id))

    def await_result(self, process_instance_key: int, fetch_variables: tuple[str, ...]) -> None:
        if self.request_id is not None:
            self._awaiting[process_instance_key] = AwaitingResult(self.request_id, fetch_variables)

    def take_awaiting(self, process_instance_key: int) -> AwaitingResult | None:
        return self._awaiting.pop(process_instance_key, None)


class CommandRejected(Exception):
    """Raised by a processor that finds it must refuse its command after writing part of its
    result (Zeebe's expected processing errors): the engine rolls the command back and writes
    this rejection instead."""

    def __init__(self, rejection_type: RejectionType, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


CommandProcessor = Callable[[Record[Any], ProcessingContext], None]
"""Processes one command: writes events, follow-ups, a rejection or responses via `ctx`."""
