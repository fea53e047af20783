"""The engine of one partition: `process(command, now_ms)` → `ProcessingResult`.

Processing never raises. An invalid command becomes a rejection; an unexpected exception in a
processor becomes a PROCESSING_ERROR rejection and that command's partial result (records and
state changes) is discarded, so the partition keeps going. Follow-up commands on the same
partition are processed in the same batch, as in Zeebe since 8.2, so one external command
yields one result. `due_commands(now_ms)` lists the commands the passing of time calls for.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any, Final

from broker.protocol import Record, RejectionType
from processors.engine.appliers import EVENT_APPLIERS, apply_event
from processors.engine.context import AwaitingResult, ProcessingContext
from processors.engine.due_date_checkers import due_commands
from processors.engine.kv_store import InMemoryKeyValueStore, KeyValueStore
from processors.engine.processor_registry import PROCESSORS
from processors.engine.results import EventAppliers, ProcessingResult, ResultBuilder
from processors.engine.state import EngineState

MAX_COMMANDS_PER_BATCH: Final = 10_000
"""Bound on follow-up commands processed for one external command (a runaway loop in a
model, e.g. a cycle of gateways, is cut off with a rejection instead of hanging)."""


class Engine:
    def __init__(
        self,
        partition_id: int = 1,
        partition_count: int = 1,
        store: KeyValueStore | None = None,
        awaiting: MutableMapping[int, AwaitingResult] | None = None,
    ) -> None:
        self.partition_id = partition_id
        self.partition_count = partition_count
        self.state = EngineState(store or InMemoryKeyValueStore(), partition_id)
        # Create-with-result requests waiting for their instance; the Kafka runtime passes a
        # mapping kept in `store`, so that they survive a failover.
        self._awaiting: MutableMapping[int, AwaitingResult] = {} if awaiting is None else awaiting
        self._appliers = EventAppliers(EVENT_APPLIERS, self.state)

    def process(
        self, command: Record[Any], now_ms: int, request_id: int | None = None
    ) -> ProcessingResult:
        state = self.state
        meta = state.meta
        last_position = meta.last_position
        builder = ResultBuilder(
            self.partition_id,
            now_ms,
            meta.next_position,
            last_position=last_position,
            appliers=self._appliers,
        )
        first = builder.append_command(command)
        # One context for the batch: each command gets its own command and request id.
        ctx = ProcessingContext(
            command=first,
            request_id=request_id,
            state=state.readers,
            writers=builder,
            next_key=meta.next_key,
            now_ms=now_ms,
            partition_id=self.partition_id,
            partition_count=self.partition_count,
            awaiting=self._awaiting,
        )
        queue: list[tuple[Record[Any], int | None]] = [(first, request_id)]
        follow_ups = builder.follow_ups
        processed = 0
        while queue or follow_ups:
            current, current_request = queue.pop() if queue else (follow_ups.popleft(), None)
            processed += 1
            if processed > MAX_COMMANDS_PER_BATCH:
                builder.reject(
                    current,
                    RejectionType.PROCESSING_ERROR,
                    f"more than {MAX_COMMANDS_PER_BATCH} follow-up commands for one command;"
                    " is there an endless loop in the process?",
                )
                follow_ups.clear()
                break
            ctx.command = current
            ctx.request_id = current_request
            self._process_one(current, current_request, builder, ctx)
        meta.set_last_position(builder.position, last_position)
        state.flush_pending()
        state.store.commit()
        return builder.build()

    def _process_one(
        self,
        command: Record[Any],
        request_id: int | None,
        builder: ResultBuilder,
        ctx: ProcessingContext,
    ) -> None:
        builder.source_position = command.position
        processor = PROCESSORS.get((command.value_type, command.intent))
        if processor is None:
            rejection = builder.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected a command that can be processed, but {command.value_type}"
                f" {command.intent} has no processor",
            )
            builder.respond(request_id, rejection)
            return
        # The changes of the commands before this one stay if this one fails.
        savepoint = self.state.savepoint()
        mark = builder.mark()
        try:
            processor(command, ctx)
        except Exception as error:  # the partition must never stop on a defect
            self.state.rollback_to(savepoint)
            builder.discard_since(mark)
            rejection = builder.reject(
                command,
                RejectionType.PROCESSING_ERROR,
                f"Expected to process {command.value_type} {command.intent} with key"
                f" '{command.key}', but an unexpected error occurred:"
                f" {type(error).__name__}: {error}",
            )
            builder.respond(request_id, rejection)

    def due_commands(self, now_ms: int) -> list[Record[Any]]:
        """Commands that time calls for now (timers, job deadlines, back-offs, message TTLs).
        Reading only: the commands change state when they are processed."""
        return due_commands(self.state.readers, now_ms)

    def replay(self, records: Iterable[Record[Any]]) -> None:
        """Rebuild state from a partition's log: apply every event, observe every position
        and key. Commands and rejections are not processed again."""
        for record in records:
            self.state.meta.observe(record.position, record.key)
            if record.is_event:
                apply_event(record, self.state)
                self.state.flush_pending()
        self.state.store.commit()
