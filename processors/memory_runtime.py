"""The in-process runtime (`memory://`): per partition a log (a list) and an engine, one
processing loop, and a controllable clock. Each `execute` returns once every partition is idle
again (follow-ups, cross-partition commands and due timers processed). Thread-safe: one lock
guards processing; a caller waiting for a late response (create-with-result) releases it."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from typing import Any

from broker.protocol import Record, record_to_json
from broker.protocol.principal import Principal, Unverified
from processors.engine import Engine


class ResponseTimeout(Exception):
    """No response to a request within the time given."""


class MemoryRuntime:
    def __init__(self, partitions: int = 1, start_ms: int | None = None) -> None:
        if partitions < 1:
            raise ValueError("a runtime needs at least one partition")
        self.partition_count = partitions
        self.engines = {p: Engine(p, partitions) for p in range(1, partitions + 1)}
        self.logs: dict[int, list[Record[Any]]] = {p: [] for p in self.engines}
        self._all: list[Record[Any]] = []
        self._now_ms = int(time.time() * 1000) if start_ms is None else start_ms
        self._condition = threading.Condition(threading.RLock())
        self._responses: dict[int, Record[Any]] = {}
        self._request_ids = itertools.count(1)
        self._queue: deque[tuple[int, Record[Any], int | None]] = deque()
        self._senders: dict[int, Principal | Unverified] = {}
        # Due commands the engine refused at the current time: asking again before the clock
        # moves would be refused again, for ever (the loop guard of the due date checks).
        self._refused_due: set[tuple[int, str, str, int]] = set()
        self._refused_at = self._now_ms

    @property
    def now_ms(self) -> int:
        return self._now_ms

    def submit(
        self, command: Record[Any], partition_id: int, sender: Principal | Unverified | None = None
    ) -> int:
        """Process `command` on a partition until idle; returns the request id. `sender`: who
        sent it, as the Kafka runtime's signature check says (docs/security.md), for tests of
        the engine's authorization; None: unchecked, as always in process."""
        with self._condition:
            request_id = next(self._request_ids)
            self._queue.append((partition_id, command, request_id))
            if sender is not None:
                self._senders[request_id] = sender
            self._run_until_idle()
            return request_id

    def wait_response(self, request_id: int, timeout: float | None) -> Record[Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while request_id not in self._responses:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise ResponseTimeout(f"no response to request {request_id} in {timeout}s")
                self._condition.wait(remaining)
            return self._responses.pop(request_id)

    def execute(
        self,
        command: Record[Any],
        partition_id: int,
        timeout: float | None = None,
        sender: Principal | Unverified | None = None,
    ) -> Record[Any]:
        return self.wait_response(self.submit(command, partition_id, sender), timeout)

    def advance_time(self, seconds: float) -> None:
        with self._condition:
            self._now_ms += round(seconds * 1000)
            self._run_until_idle()

    def records(self) -> list[dict[str, Any]]:
        with self._condition:
            return [record_to_json(record) for record in self._all]

    def _run_until_idle(self) -> None:
        if self._refused_at != self._now_ms:
            self._refused_due.clear()
            self._refused_at = self._now_ms
        due: set[int] = set()  # ids of the due commands in the queue
        while True:
            while self._queue:
                partition_id, command, request_id = self._queue.popleft()
                sender = None if request_id is None else self._senders.pop(request_id, None)
                result = self.engines[partition_id].process(
                    command, self._now_ms, request_id, sender
                )
                self.logs[partition_id].extend(result.records)
                self._all.extend(result.records)
                if id(command) in due:
                    due.discard(id(command))
                    if _refused(result.records):
                        self._refused_due.add(_due_identity(partition_id, command))
                for target, outbound in result.outbound:
                    self._queue.append((target, outbound, None))
                if result.responses:
                    self._responses.update(result.responses)
                    self._condition.notify_all()
            for partition_id, engine in self.engines.items():
                for command in engine.due_commands(self._now_ms):
                    if _due_identity(partition_id, command) not in self._refused_due:
                        due.add(id(command))
                        self._queue.append((partition_id, command, None))
            if not self._queue:
                return


def _refused(records: tuple[Record[Any], ...]) -> bool:
    """Whether the batch's own command (its first record) was rejected."""
    if len(records) < 2:
        return False
    position = records[0].position
    return any(r.is_rejection and r.source_record_position == position for r in records[1:])


def _due_identity(partition_id: int, command: Record[Any]) -> tuple[int, str, str, int]:
    return (partition_id, str(command.value_type), str(command.intent), command.key)
