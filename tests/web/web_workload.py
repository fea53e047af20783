"""The workload the web tests look at, run on the in-process engine and projected into a
SQLite query store as the exporter would: the `order` process (drawn with diagram data) with
instances completed, backordered, waiting, canceled and stuck with an incident, and the
`one_task` process (no diagram data: the page lays it out) from the visibility workload."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clients.client import Client
from clients.results import ActivatedJob
from clients.user_tasks import UserTask
from processors.exporter.store import open_store
from tests.visibility.projection_helpers import apply_records
from tests.visibility.workload import Workload, run_workload

ORDER = Path(__file__).parent / "order.bpmn"
# Shown on the pages: must come out as text, never as markup.
CUSTOMER = '<b id="injected">Ada & Co</b><script>window.injected = true</script>'


@dataclass
class OrderWorkload:
    completed: list[int] = field(default_factory=list)
    backordered: list[int] = field(default_factory=list)
    waiting_at_reserve: list[int] = field(default_factory=list)
    canceled: list[int] = field(default_factory=list)
    with_incident: list[int] = field(default_factory=list)
    incidents: dict[int, int] = field(default_factory=dict)
    """Incident key by instance key."""
    jobs: dict[int, int] = field(default_factory=dict)
    """Shipping job key by instance key (for those with an incident)."""
    one_task: Workload | None = None


def _jobs(client: Client, job_type: str, count: int) -> dict[int, ActivatedJob]:
    found: dict[int, ActivatedJob] = {}
    while len(found) < count:
        batch = client.activate_jobs(job_type, max_jobs=count - len(found), timeout=3600)
        if not batch:
            break
        found.update({j.process_instance_key: j for j in batch})
    assert len(found) == count, f"{job_type}: {len(found)} of {count} jobs"
    return found


def run_order_workload(client: Client) -> OrderWorkload:
    """Eight orders: 0-2 complete, 3-4 fail shipping without retries (incidents), 5 waits
    at "Reserve inventory", 6 is backordered, 7 is canceled."""
    client.deploy(ORDER)
    keys = []
    for i in range(8):
        variables: dict[str, Any] = {"orderId": i, "inStock": i != 6, "customer": CUSTOMER}
        keys.append(client.create_instance("order", variables))
        client.advance_time(1)
    w = OrderWorkload()
    for key, job in _jobs(client, "payment", 8).items():
        client.complete_job(job.key, {"paymentId": f"pay-{key % 1000}"})
    inventory = _jobs(client, "inventory", 7)
    for key in keys[:5]:
        client.advance_time(2)
        client.complete_job(inventory[key].key, {"reservationId": "r-1"})
    shipping = _jobs(client, "shipping", 5)
    for key in keys[:3]:
        client.complete_job(shipping[key].key, {"trackingNumber": "T-1"})
        w.completed.append(key)
    for key in keys[3:5]:
        client.fail_job(shipping[key].key, 0, f"carrier refused order {key}: no address")
        w.with_incident.append(key)
        w.jobs[key] = shipping[key].key
    w.waiting_at_reserve.append(keys[5])
    notify = _jobs(client, "notify", 1)
    client.complete_job(notify[keys[6]].key)
    w.backordered.append(keys[6])
    client.cancel_instance(keys[7])
    w.canceled.append(keys[7])
    for record in client.records():
        if record["valueType"] == "INCIDENT" and record["intent"] == "CREATED":
            w.incidents[record["value"]["processInstanceKey"]] = record["key"]
    w.one_task = run_workload(client, completed=2, waiting=1, incidents=1, canceled=1)
    return w


def export(client: Client, store_path: Path) -> None:
    """What the exporter does, at once: every record not yet in the store goes in."""
    with open_store(str(store_path)) as store:
        apply_records(store, client.records())


class ExportingClient(Client):
    """The page's client in the tests: the in-process engine, with the exporter's work done
    right after each command, so the page can show the effect of an action at once."""

    def __init__(self, client: Client, store_path: Path) -> None:
        super().__init__(client.transport)
        self._store_path = store_path
        self.calls: list[tuple[str, int]] = []

    def update_job_retries(self, key: int, retries: int) -> None:
        super().update_job_retries(key, retries)
        self.calls.append(("update_job_retries", key))
        export(self, self._store_path)

    def resolve_incident(self, key: int) -> None:
        super().resolve_incident(key)
        self.calls.append(("resolve_incident", key))
        export(self, self._store_path)

    def cancel_instance(self, key: int) -> None:
        self.calls.append(("cancel_instance", key))
        try:
            super().cancel_instance(key)
        finally:
            export(self, self._store_path)

    def set_variables(
        self, element_instance_key: int, variables: dict[str, Any], local: bool = False
    ) -> None:
        self.calls.append(("set_variables", element_instance_key))
        try:
            super().set_variables(element_instance_key, variables, local)
        finally:
            export(self, self._store_path)

    def modify_instance(self, key: int, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("modify_instance", key))
        try:
            return super().modify_instance(key, *args, **kwargs)
        finally:
            export(self, self._store_path)

    def claim_user_task(self, key: int, assignee: str) -> UserTask:
        self.calls.append(("claim_user_task", key))
        try:
            return super().claim_user_task(key, assignee)
        finally:
            export(self, self._store_path)

    def unassign_user_task(self, key: int) -> UserTask:
        self.calls.append(("unassign_user_task", key))
        try:
            return super().unassign_user_task(key)
        finally:
            export(self, self._store_path)

    def complete_user_task(
        self, key: int, variables: dict[str, Any] | None = None, *, action: str | None = None
    ) -> UserTask:
        self.calls.append(("complete_user_task", key))
        try:
            return super().complete_user_task(key, variables, action=action)
        finally:
            export(self, self._store_path)

    def close(self) -> None:
        """The test owns the engine; the page must not stop it."""
