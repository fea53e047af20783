"""Working a batch through the client: one ordinary command per item (cancel an instance, or
resolve an incident — a job out of retries gets one retry first, as the web's resolve
button does), each item's outcome reported as it comes. The web console's batch form and
`honeyflow batch` both run batches with this."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from broker.protocol.values import JOB_RETRIES_ERRORS
from clients.client import Client
from clients.errors import HoneyflowError

DONE = "done"


class Item(Protocol):
    @property
    def key(self) -> int: ...
    @property
    def error_type(self) -> str: ...
    @property
    def job_key(self) -> int: ...


T = TypeVar("T", bound=Item)


def run_batch(
    client: Client, action: str, items: Iterable[T], report: Callable[[T, str], None]
) -> None:
    """`action` is "cancel" (items are instances) or "resolve" (items are incidents);
    `report(item, outcome)` gets "done" or "refused: <the engine's reason>"."""
    for item in items:
        try:
            if action == "cancel":
                client.cancel_instance(item.key)
            else:
                if item.error_type in JOB_RETRIES_ERRORS and item.job_key > 0:
                    client.update_job_retries(item.job_key, 1)
                client.resolve_incident(item.key)
            report(item, DONE)
        except HoneyflowError as e:
            report(item, f"refused: {e}")
