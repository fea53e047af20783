"""The transport seam: how a client gets a command to a partition and its answer back.
`MemoryTransport` (in-process engine) and `KafkaTransport` implement it. Routing
(which partition gets a command) and result shaping live in the client, not here."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

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


@runtime_checkable
class JobSource(Protocol):
    """A transport whose jobs come from a job topic rather than from JOB_BATCH ACTIVATE sent
    to every partition (Kafka: read `<p>jobs.<type>`, claim each job on its partition)."""

    def activate_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
        tenant_ids: tuple[str, ...] = ...,
    ) -> list[Record[Any]]:
        """The JOB_BATCH ACTIVATED answers (or rejections) of the jobs claimed, of the jobs of
        `tenant_ids` (default: the default tenant)."""
        ...
