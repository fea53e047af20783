"""The task pages' workload: an invoice to review with a deployed form (`invoice-review.form`),
two approvals without a form (one already claimed by bob), and an expense whose form is
embedded in its process (`camunda-forms:bpmn:`); run on any engine through the client."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clients.client import Client

TASKS = Path(__file__).parent / "tasks"
RESOURCES = [
    TASKS / "invoice.bpmn",
    TASKS / "invoice-review.form",
    TASKS / "approve.bpmn",
    TASKS / "expense.bpmn",
]
INVOICE_VARIABLES = {"customer": "Ada & Co", "amount": 120, "notes": "<b>bold</b>"}
HOLDER = "bob"


@dataclass
class TaskWorkload:
    invoice_instance: int
    approve_instance: int
    held_instance: int
    expense_instance: int
    tasks: dict[int, int]
    """User task key by process instance key."""

    @property
    def form_task(self) -> int:
        return self.tasks[self.invoice_instance]

    @property
    def plain_task(self) -> int:
        return self.tasks[self.approve_instance]

    @property
    def held_task(self) -> int:
        return self.tasks[self.held_instance]

    @property
    def embedded_task(self) -> int:
        return self.tasks[self.expense_instance]


def user_task_keys(records: list[dict[str, Any]]) -> dict[int, int]:
    return {
        r["value"]["processInstanceKey"]: r["key"]
        for r in records
        if r["valueType"] == "USER_TASK" and r["intent"] == "CREATED"
    }


def run_task_workload(
    client: Client, *, wait: Any = None, tick: Any = None, settle: Any = None
) -> TaskWorkload:
    """Created oldest first: expense, held approval, approval, invoice (the newest).
    `wait(instance keys)` returns the task keys where records are not at hand (Kafka);
    `tick()` moves the engine's clock on between instances (memory://); `settle()` waits
    until the deployment reached every partition (Kafka)."""
    client.deploy(*RESOURCES)
    if settle is not None:
        settle()
    instances = []
    for process, variables in (
        ("expense", {"purpose": "train to Bern"}),
        ("approve", {"request": "new laptop"}),
        ("approve", {"request": "team dinner"}),
        ("invoice", INVOICE_VARIABLES),
    ):
        instances.append(client.create_instance(process, variables))
        if tick is not None:
            tick()
    expense, held, approve, invoice = instances
    tasks = wait(instances) if wait is not None else user_task_keys(client.records())
    client.claim_user_task(tasks[held], HOLDER)
    return TaskWorkload(invoice, approve, held, expense, tasks)
