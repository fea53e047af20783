"""The transport seam: how a client gets a command to a partition and its answer back.
`MemoryTransport` (in-process engine) implements it today; a Kafka transport later. Routing
(which partition gets a command) and result shaping live in the client, not here."""

from __future__ import annotations

from typing import Any, Protocol

from broker.protocol import Record


class Transport(Protocol):
    @property
    def partition_count(self) -> int: ...

    def request(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        """Send a command and return the record answering it (an event or a rejection);
        raises RequestTimeoutError."""
        ...

    def records(self) -> list[dict[str, Any]]:
        """Every record written so far, oldest first, as JSON objects."""
        ...

    def close(self) -> None: ...
