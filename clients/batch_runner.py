"""Working a batch through the client: one ordinary command per item (cancel an instance,
migrate an instance, or resolve an incident — a job out of retries gets one retry first, as
the web's resolve button does), each item's outcome reported as it comes. The web console's
batch form and `honeyflow batch` both run batches with this."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from broker.protocol.values import JOB_RETRIES_ERRORS
from clients.batch_progress import DONE
from clients.client import Client
from clients.errors import HoneyflowError

__all__ = ["DONE", "MigrationPlan", "run_batch"]


class Item(Protocol):
    @property
    def key(self) -> int: ...
    @property
    def error_type(self) -> str: ...
    @property
    def job_key(self) -> int: ...


T = TypeVar("T", bound=Item)


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """Where a batch migration takes each instance: the target process definition and, per
    active element id, the target element it becomes."""

    target_process_definition_key: int
    mappings: Mapping[str, str] = field(default_factory=dict)


def run_batch(
    client: Client,
    action: str,
    items: Iterable[T],
    report: Callable[[T, str], None],
    migration: MigrationPlan | None = None,
) -> None:
    """`action` is "cancel" or "migrate" (items are instances; migrate needs `migration`) or
    "resolve" (items are incidents); `report(item, outcome)` gets "done" or "refused: <the
    engine's reason>"."""
    if action == "migrate" and migration is None:
        raise ValueError("a batch migration needs a MigrationPlan")
    for item in items:
        try:
            if action == "cancel":
                client.cancel_instance(item.key)
            elif action == "migrate":
                assert migration is not None
                client.migrate_instance(
                    item.key, migration.target_process_definition_key, migration.mappings
                )
            else:
                if item.error_type in JOB_RETRIES_ERRORS and item.job_key > 0:
                    client.update_job_retries(item.job_key, 1)
                client.resolve_incident(item.key)
            report(item, DONE)
        except HoneyflowError as e:
            report(item, f"refused: {e}")
