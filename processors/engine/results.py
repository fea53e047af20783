"""What processing one command produces, collected before anything leaves the engine.

`ResultBuilder` is the Writers bundle of Zeebe: events (applied to state as they are written,
so later steps of the same command see them), follow-up commands, rejections, responses,
commands for other partitions and side effects for the runtime (`side_effects`).
`ProcessingResult` is the finished, immutable outcome.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from broker.protocol import Intent, Record, RecordType, RejectionType, ValueType
from broker.protocol.record import build_unchecked_record as _build
from broker.protocol.values import RecordValue
from processors.engine.side_effects import SideEffect


@dataclass(frozen=True, slots=True)
class ProcessingResult:
    records: tuple[Record[Any], ...]
    """Everything to append to this partition's log, in order, positions assigned."""
    responses: dict[int, Record[Any]]
    """Request id → the record that answers it."""
    outbound: tuple[tuple[int, Record[Any]], ...]
    """(partition id, command) for other partitions."""
    side_effects: tuple[SideEffect, ...] = ()
    """What the runtime is asked to do once the results are committed (`side_effects`)."""


_Mark = tuple[int, dict[int, Record[Any]], int, int, int, int]
"""Records, responses, outbound commands, follow-ups and side effects written so far, and the
position (a plain tuple: one is taken per command)."""


Applier = Callable[[Record[Any], Any], None]
"""Applies one event to the partition's state (see `processors/engine/appliers.py`)."""


class _ApplierTable(Protocol):
    def get(self, kind: tuple[ValueType, Intent], /) -> Applier | None: ...


class EventAppliers:
    """The event appliers of one engine's state, found per (value class, intent) of an event.
    Also remembers which record shapes were built through `Record(...)` (which checks value
    type, value class and intent agree): later records of a known shape are built without the
    check, tens of times per process instance."""

    __slots__ = ("_known_commands", "_known_events", "_table", "state")

    def __init__(self, table: _ApplierTable, state: Any) -> None:
        self._table = table
        self.state = state
        # (value class, intent) → (the intent's enum, its applier): the enum too, because
        # intents of different value types compare equal as strings.
        self._known_events: dict[tuple[type, Intent], tuple[type, Applier | None]] = {}
        self._known_commands: dict[tuple[type, Intent], tuple[type, Applier | None]] = {}

    def learn(self, record: Record[Any]) -> tuple[type, Applier | None]:
        """`record` was built (and so checked) through `Record(...)`."""
        entry = (type(record.intent), self._table.get((record.value_type, record.intent)))
        known = self._known_events if record.is_event else self._known_commands
        known[(type(record.value), record.intent)] = entry
        return entry


_NO_APPLIERS = EventAppliers({}, None)
_NO_RESPONSES: dict[int, Record[Any]] = {}
_EVENT = RecordType.EVENT
_COMMAND = RecordType.COMMAND


class ResultBuilder:
    def __init__(
        self,
        partition_id: int,
        now_ms: int,
        next_position: Callable[[], int],
        apply: Callable[[Record[Any]], None] | None = None,
        *,
        last_position: int | None = None,
        appliers: EventAppliers | None = None,
    ) -> None:
        """Events are applied through `appliers`, or else `apply` (slower: no shape memo)."""
        self.partition_id = partition_id
        self.now_ms = now_ms
        self._next_position = next_position
        # Given the partition's last position, the builder counts positions itself and the
        # caller stores `position` once per command (a store write per record costs ~15%).
        self._counting = last_position is not None
        self.position = -1 if last_position is None else last_position
        if appliers is None:
            appliers = _NO_APPLIERS if apply is None else EventAppliers(_ApplyAll(apply), None)
        self._appliers = appliers
        self._known_events = appliers._known_events
        self._known_commands = appliers._known_commands
        self._state = appliers.state
        self.records: list[Record[Any]] = []
        self.responses: dict[int, Record[Any]] = {}
        self.outbound: list[tuple[int, Record[Any]]] = []
        self.follow_ups: deque[Record[Any]] = deque()
        self.side_effects: list[SideEffect] = []
        self.source_position = -1
        self.principal = ""
        """Who sent the command being processed (`Record.principal`): every record of its
        batch carries it."""

    def _position(self) -> int:
        if self._counting:
            self.position += 1
            return self.position
        return self._next_position()

    def _stamp(
        self,
        known: dict[tuple[type, Intent], tuple[type, Applier | None]],
        record_type: RecordType,
        value_type: ValueType,
        intent: Intent,
        value: RecordValue,
        key: int,
        source_position: int,
    ) -> tuple[Record[Any], tuple[type, Applier | None]]:
        """A record at the next position, and its shape's (intent enum, applier): built
        without the check when its shape was built (and so checked) through `Record(...)`
        before (the hottest path of the engine: tens of records per process instance)."""
        position = self._position()
        entry = known.get((value.__class__, intent))
        if entry is not None and entry[0] is intent.__class__ and value_type is value.VALUE_TYPE:
            record: Record[Any] = _build(
                record_type,
                value_type,
                intent,
                value,
                key,
                self.partition_id,
                self.now_ms,
                source_position,
                position,
                self.principal,
            )
            return record, entry
        record = Record(
            record_type=record_type,
            value_type=value_type,
            intent=intent,
            value=value,
            key=key,
            partition_id=self.partition_id,
            timestamp=self.now_ms,
            source_record_position=source_position,
            position=position,
            principal=self.principal,
        )
        return record, self._appliers.learn(record)

    def append_command(self, command: Record[Any]) -> Record[Any]:
        """Give an incoming command its position and timestamp on this partition's log."""
        stamped, _ = self._stamp(
            self._known_commands,
            _COMMAND,
            command.value_type,
            command.intent,
            command.value,
            command.key,
            command.source_record_position,
        )
        self.records.append(stamped)
        return stamped

    def event(self, key: int, intent: Intent, value: RecordValue) -> Record[Any]:
        """Write an event and apply it to the state."""
        record, (_, applier) = self._stamp(
            self._known_events, _EVENT, value.VALUE_TYPE, intent, value, key, self.source_position
        )
        self.records.append(record)
        if applier is not None:
            applier(record, self._state)
        return record

    def follow_up(self, key: int, intent: Intent, value: RecordValue) -> Record[Any]:
        record, _ = self._stamp(  # a command intent: never an applier
            self._known_commands,
            _COMMAND,
            value.VALUE_TYPE,
            intent,
            value,
            key,
            self.source_position,
        )
        self.records.append(record)
        self.follow_ups.append(record)
        return record

    def reject(
        self, command: Record[Any], rejection_type: RejectionType, reason: str
    ) -> Record[Any]:
        rejection = Record(
            record_type=RecordType.COMMAND_REJECTION,
            value_type=command.value_type,
            intent=command.intent,
            value=command.value,
            key=command.key,
            partition_id=self.partition_id,
            timestamp=self.now_ms,
            position=self._position(),
            source_record_position=command.position,
            rejection_type=rejection_type,
            rejection_reason=reason,
            principal=self.principal,
        )
        self.records.append(rejection)
        return rejection

    def respond(self, request_id: int | None, record: Record[Any]) -> None:
        if request_id is not None:
            self.responses[request_id] = record

    def send(self, partition_id: int, command: Record[Any]) -> None:
        self.outbound.append((partition_id, command))

    def side_effect(self, effect: SideEffect) -> None:
        self.side_effects.append(effect)

    def mark(self) -> _Mark:
        """Where `discard_since` goes back to."""
        responses = self.responses
        return (
            len(self.records),
            dict(responses) if responses else _NO_RESPONSES,
            len(self.outbound),
            len(self.follow_ups),
            len(self.side_effects),
            self.position,
        )

    def discard_since(self, mark: _Mark) -> None:
        """Forget what was written after `mark` (the state is rolled back by the caller)."""
        records, responses, outbound, follow_ups, side_effects, position = mark
        del self.records[records:]
        self.position = position
        self.responses = dict(responses)
        del self.outbound[outbound:]
        while len(self.follow_ups) > follow_ups:
            self.follow_ups.pop()
        del self.side_effects[side_effects:]

    def build(self, side_effects: tuple[SideEffect, ...] = ()) -> ProcessingResult:
        return ProcessingResult(
            tuple(self.records), dict(self.responses), tuple(self.outbound), side_effects
        )


class _ApplyAll:
    """An applier table that sends every event to one function (`apply`)."""

    def __init__(self, apply: Callable[[Record[Any]], None]) -> None:
        self._applier: Applier = lambda record, _state: apply(record)

    def get(self, _kind: tuple[ValueType, Intent]) -> Applier:
        return self._applier
