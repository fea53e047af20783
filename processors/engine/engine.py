"""The engine of one partition: `process(command, now_ms)` → `ProcessingResult`.

Processing never raises. An invalid command becomes a rejection; an unexpected exception in a
processor becomes a PROCESSING_ERROR rejection and that command's partial result (records and
state changes) is discarded, so the partition keeps going. Follow-up commands on the same
partition are processed in the same batch, as in Zeebe since 8.2, so one external command
yields one result; so are timers that are due when they are created, and the loop guard
(loop_guard.py) bounds the batch. `due_commands(now_ms)` lists the commands the passing of
time calls for. What FEEL draws at random is seeded by the partition and the command's
position, so the same commands give the same records.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

from bpmn.feel.builtins.clock import RandomScope, SeededRandom
from broker.protocol import Record, RejectionType
from broker.protocol.principal import Principal, Unverified
from processors.engine import loop_guard
from processors.engine.appliers import EVENT_APPLIERS, apply_event
from processors.engine.authorization import authorization_refusal
from processors.engine.command_arguments import invalid_argument
from processors.engine.context import AwaitingResult, CommandRejected, ProcessingContext
from processors.engine.due_date_checkers import due_commands, timer_triggers
from processors.engine.input_collection_memo import InputCollectionMemo
from processors.engine.kv_store import InMemoryKeyValueStore, KeyValueStore
from processors.engine.registries import Registries, build_registries
from processors.engine.results import EventAppliers, ProcessingResult, ResultBuilder
from processors.engine.side_effects import settle
from processors.engine.state import EngineState
from processors.engine.tenant_check import blank_tenant_as_default, tenant_rejection


class Engine:
    def __init__(
        self,
        partition_id: int = 1,
        partition_count: int = 1,
        store: KeyValueStore | None = None,
        awaiting: MutableMapping[int, AwaitingResult] | None = None,
        registries: Registries | None = None,
    ) -> None:
        self.partition_id = partition_id
        self.partition_count = partition_count
        self.state = EngineState(store or InMemoryKeyValueStore(), partition_id)
        # Create-with-result requests waiting for their instance; the Kafka runtime passes a
        # mapping kept in `store`, so that they survive a failover.
        self._awaiting: MutableMapping[int, AwaitingResult] = {} if awaiting is None else awaiting
        self._appliers = EventAppliers(EVENT_APPLIERS, self.state)
        # The processor tables, built here rather than by importing modules.
        self.registries = build_registries() if registries is None else registries
        # What FEEL's uuid() and random number() draw from: seeded per command by the partition
        # and the command's position, so the same commands give the same records.
        self._random = SeededRandom()
        self._random_scope = RandomScope(self._random)
        self.input_collections = InputCollectionMemo()

    def process(
        self,
        command: Record[Any],
        now_ms: int,
        request_id: int | None = None,
        sender: Principal | Unverified | None = None,
    ) -> ProcessingResult:
        """Process `command` and its follow-ups. `sender`: who signed it, when the runtime
        checks signed commands (None: it does not, or the command is the engine's own, as
        what time calls for); every record of the batch then names it."""
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
        if sender is not None:
            builder.principal = (
                sender.audit_name if isinstance(sender, Principal) else sender.claimed
            )
        first = builder.append_command(blank_tenant_as_default(command))
        # A failed command goes back to here, and the commands before it apply their events
        # again (see `_roll_back`).
        savepoint = state.store.savepoint()
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
            element_processors=self.registries.elements,
            subscription_kinds=self.registries.subscriptions,
            input_collections=self.input_collections,
        )
        # A tenant that is no tenant identifier first (Zeebe validates before it authorizes).
        bad_tenant = tenant_rejection(first)
        refusal = None
        if sender is not None and bad_tenant is None:
            refusal = authorization_refusal(first, sender, state.readers)
        if bad_tenant is not None:  # no tenant identifier: refused before any processor
            rejection = builder.reject(first, RejectionType.INVALID_ARGUMENT, bad_tenant)
            builder.respond(request_id, rejection)
        elif refusal is not None:  # refused before any processor: nothing else changes
            rejection = builder.reject(first, refusal[0], refusal[1])
            builder.respond(request_id, rejection)
        else:
            # Seeded by the partition and the position of the command being processed (the
            # builder's source position), read only when a command draws.
            partition = self.partition_id << 64
            self._random.restart(lambda: partition | builder.source_position)
            with self._random_scope:
                self._process_one(first, request_id, builder, ctx, savepoint, from_outside=True)
                self._process_follow_ups(builder, ctx, savepoint)
        meta.set_last_position(builder.position, last_position)
        state.flush_pending()
        state.store.commit()
        if builder.side_effects:
            return builder.build(settle(builder.side_effects, state.readers.jobs))
        return builder.build()

    def _process_follow_ups(
        self, builder: ResultBuilder, ctx: ProcessingContext, savepoint: int
    ) -> None:
        """The follow-ups of the batch, generation by generation (they are written in order, so
        a generation ends where the commands its predecessor wrote began), then the timers
        the batch created already due, as the next generation (see loop_guard). Only those:
        a timer that was due before is the due date checker's, which may have listed it."""
        follow_ups = builder.follow_ups
        processed = 1
        steps = 1
        left_in_step = 0
        while True:
            if not follow_ups:
                if not ctx.timers_due_now:
                    return
                created, ctx.timers_due_now = ctx.timers_due_now, []
                for trigger in timer_triggers(self.state.readers, created, ctx.now_ms):
                    builder.follow_up(trigger.key, trigger.intent, trigger.value)
                if not follow_ups:
                    return
            if left_in_step == 0:
                steps += 1
                left_in_step = len(follow_ups)
                if steps > loop_guard.MAX_STEPS_IN_A_ROW:
                    ctx.loop_exhausted = True
            current = follow_ups.popleft()
            left_in_step -= 1
            processed += 1
            if processed > loop_guard.MAX_COMMANDS_PER_BATCH:
                builder.reject(
                    current,
                    RejectionType.PROCESSING_ERROR,
                    f"more than {loop_guard.MAX_COMMANDS_PER_BATCH} follow-up commands for one"
                    " command;"
                    " is there an endless loop in the process?",
                )
                follow_ups.clear()
                return
            ctx.command = current
            ctx.request_id = None
            self._process_one(current, None, builder, ctx, savepoint)

    def _process_one(
        self,
        command: Record[Any],
        request_id: int | None,
        builder: ResultBuilder,
        ctx: ProcessingContext,
        savepoint: int,
        from_outside: bool = False,
    ) -> None:
        builder.source_position = command.position
        if from_outside and (reason := invalid_argument(command, ctx.now_ms)) is not None:
            rejection = builder.reject(command, RejectionType.INVALID_ARGUMENT, reason)
            builder.respond(request_id, rejection)
            return
        processor = self.registries.commands.get((command.value_type, command.intent))
        if processor is None:
            rejection = builder.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected a command that can be processed, but {command.value_type}"
                f" {command.intent} has no processor",
            )
            builder.respond(request_id, rejection)
            return
        key_counter = self.state.meta.key_counter
        mark = builder.mark()
        try:
            processor(command, ctx)
        except CommandRejected as refused:
            self._roll_back(builder, mark, savepoint, key_counter)
            rejection = builder.reject(command, refused.rejection_type, refused.reason)
            builder.respond(request_id, rejection)
        except Exception as error:  # the partition must never stop on a defect
            self._roll_back(builder, mark, savepoint, key_counter)
            rejection = builder.reject(
                command,
                RejectionType.PROCESSING_ERROR,
                f"Expected to process {command.value_type} {command.intent} with key"
                f" '{command.key}', but an unexpected error occurred:"
                f" {type(error).__name__}: {error}",
            )
            builder.respond(request_id, rejection)

    def _roll_back(
        self, builder: ResultBuilder, mark: Any, savepoint: int, key_counter: int | None
    ) -> None:
        """Undo a failed command: the state goes back to the start of the batch and the
        events of the commands before it are applied again (failures are rare; keeping an
        undo log of every change in memory would cost every command), the key counter goes
        back to where the command found it, and what it wrote is forgotten."""
        state = self.state
        state.store.rollback_to(savepoint)
        state.elements.discard_pending()
        earlier = builder.records[: mark[0]]
        builder.discard_since(mark)
        for record in earlier:
            if record.is_event:
                apply_event(record, state)
        state.meta.restore_key_counter(key_counter)

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
