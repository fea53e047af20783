"""The in-process transport: `memory://[?partitions=N]` runs the engine in this process
(a `MemoryRuntime`), with a clock that moves only by `advance_time`."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from clients.errors import RequestTimeoutError
from processors.memory_runtime import MemoryRuntime, ResponseTimeout


class MemoryTransport:
    def __init__(self, partitions: int = 1, start_ms: int | None = None) -> None:
        self.runtime = MemoryRuntime(partitions, start_ms)

    @property
    def partition_count(self) -> int:
        return self.runtime.partition_count

    def request(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        try:
            return self.runtime.execute(command, partition_id, timeout)
        except ResponseTimeout as error:
            raise RequestTimeoutError(str(error)) from None

    def records(self) -> list[dict[str, Any]]:
        return self.runtime.records()

    def advance_time(self, seconds: float) -> None:
        self.runtime.advance_time(seconds)

    def close(self) -> None:
        pass
