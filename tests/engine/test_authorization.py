"""The engine's authorization rules when it checks signed commands (docs/security.md, "Who
sent a command"), in process: the runtime hands the core who signed each command (here set
per call) and the core decides with its state. A refused command is a rejection naming the
principal and the reason, and nothing else is written; every record of an allowed command
names its principal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import DeploymentIntent
from broker.protocol.principal import Principal, Role, Unverified
from broker.protocol.values import DeploymentRecordValue
from clients.client import Client
from clients.errors import RejectedError
from clients.memory_transport import MemoryTransport

BPMN = Path(__file__).parents[1] / "cli" / "verbs" / "cli-task.bpmn"

OPERATOR = Principal("ops", Role.OPERATOR)
WORKER = Principal("payments", Role.WORKER, job_types=("cli-work",))
OTHER_WORKER = Principal("shipping", Role.WORKER, job_types=("ship",))
READER = Principal("audit", Role.READER)


class SignedTransport(MemoryTransport):
    """The in-process transport, each command sent as `sender` (None: unchecked)."""

    sender: Principal | Unverified | None = None

    def request(self, command: Any, partition_id: int, timeout: float | None) -> Any:
        return self.runtime.execute(command, partition_id, timeout, self.sender)


@pytest.fixture
def transport() -> SignedTransport:
    return SignedTransport()


@contextmanager
def sent_by(transport: SignedTransport, sender: Principal | Unverified) -> Iterator[Client]:
    before = transport.sender
    transport.sender = sender
    try:
        yield Client(transport)
    finally:
        transport.sender = before


def _started(transport: SignedTransport) -> tuple[int, int]:
    """An instance waiting at its `cli-work` job, deployed and created by the operator, and
    the job's key (activated by the worker)."""
    with sent_by(transport, OPERATOR) as ops:
        ops.deploy(BPMN)
        instance = ops.create_instance("cli-task")
    with sent_by(transport, WORKER) as worker:
        (job,) = worker.activate_jobs("cli-work", max_jobs=1, timeout=60)
    return instance, job.key


def _refused(
    transport: SignedTransport, sender: Principal | Unverified, call: Any
) -> RejectedError:
    """The rejection of `call` sent as `sender`, checking that it wrote nothing but the
    command and its rejection."""
    before = len(transport.records())
    with sent_by(transport, sender) as client, pytest.raises(RejectedError) as refused:
        call(client)
    written = transport.records()[before:]
    assert [r["recordType"] for r in written] == ["COMMAND", "COMMAND_REJECTION"], written
    name = sender.audit_name if isinstance(sender, Principal) else sender.claimed
    assert {r.get("principal", "") for r in written} == {name}
    return refused.value


def test_a_worker_cannot_deploy_cancel_or_touch_jobs_of_another_type(
    transport: SignedTransport,
) -> None:
    instance, _ = _started(transport)
    deploy = _refused(transport, WORKER, lambda c: c.deploy(BPMN))
    assert deploy.rejection_type == "FORBIDDEN"
    assert "principal 'payments' is a worker" in deploy.reason
    assert "Insufficient permissions to perform operation 'CREATE' on resource" in deploy.reason
    cancel = _refused(transport, WORKER, lambda c: c.cancel_instance(instance))
    assert cancel.rejection_type == "FORBIDDEN"
    assert "'CANCEL' on resource 'PROCESS_INSTANCE'" in cancel.reason
    other = _refused(
        transport, OTHER_WORKER, lambda c: c.activate_jobs("cli-work", max_jobs=1, timeout=60)
    )
    assert "it may activate jobs of type ship, not of type 'cli-work'" in other.reason


def test_a_worker_cannot_complete_a_job_of_another_type_and_its_own_type_works(
    transport: SignedTransport,
) -> None:
    instance, job = _started(transport)
    refused = _refused(transport, OTHER_WORKER, lambda c: c.complete_job(job, {"paid": True}))
    assert refused.rejection_type == "FORBIDDEN"
    assert f"job {job} is of type 'cli-work'" in refused.reason
    with sent_by(transport, WORKER) as worker:
        worker.complete_job(job, {"paid": True})
    completed = [
        r
        for r in transport.records()
        if r["valueType"] == "PROCESS_INSTANCE"
        and r["intent"] == "ELEMENT_COMPLETED"
        and r["key"] == instance
    ]
    assert [r["principal"] for r in completed] == ["payments"]


def test_every_record_of_an_allowed_command_names_its_principal(
    transport: SignedTransport,
) -> None:
    before = len(transport.records())
    with sent_by(transport, OPERATOR) as ops:
        ops.deploy(BPMN)
        ops.create_instance("cli-task")
    written = transport.records()[before:]
    assert len(written) > 5
    assert {r["principal"] for r in written} == {"ops"}


def test_unsigned_and_wrongly_signed_commands_are_refused_as_unauthorized(
    transport: SignedTransport,
) -> None:
    unsigned = Unverified("", "the command is not signed (no honeyflow-principal header)")
    refused = _refused(transport, unsigned, lambda c: c.deploy(BPMN))
    assert refused.rejection_type == "UNAUTHORIZED"
    assert "an unnamed sender is refused: the command is not signed" in refused.reason
    forged = Unverified("ops", "its signature does not match the command for partition 1")
    refused = _refused(transport, forged, lambda c: c.deploy(BPMN))
    assert refused.rejection_type == "UNAUTHORIZED"
    assert "principal 'ops' is refused: its signature does not match" in refused.reason


def test_a_reader_sends_no_commands_and_an_operator_no_engine_commands(
    transport: SignedTransport,
) -> None:
    refused = _refused(transport, READER, lambda c: c.deploy(BPMN))
    assert "a reader sends no commands" in refused.reason

    distributed = Record.command(DeploymentIntent.CREATE, DeploymentRecordValue(), key=1 << 51)
    answer = transport.runtime.execute(distributed, 1, None, OPERATOR)
    assert answer.is_rejection
    assert answer.rejection_type == "FORBIDDEN"
    assert "the engine's own command" in answer.rejection_reason


def test_a_job_of_a_tenant_the_worker_is_not_granted_does_not_exist_for_it(
    transport: SignedTransport,
) -> None:
    _, job = _started(transport)
    elsewhere = Principal("payments-b", Role.WORKER, ("cli-work",), tenants=("tenant-b",))
    refused = _refused(transport, elsewhere, lambda c: c.complete_job(job))
    assert refused.rejection_type == "NOT_FOUND"
    assert f"Expected to complete job with key '{job}', but no such job was found" in (
        refused.reason
    )


def test_without_a_sender_nothing_is_checked_and_no_record_names_a_principal(
    transport: SignedTransport,
) -> None:
    client = Client(transport)
    client.deploy(BPMN)
    client.create_instance("cli-task")
    assert all("principal" not in r for r in transport.records())


def test_an_operator_of_another_tenant_can_neither_deploy_to_nor_cancel_in_the_default_one(
    transport: SignedTransport,
) -> None:
    instance, _ = _started(transport)
    tenant_b = Principal("ops-b", Role.OPERATOR, tenants=("tenant-b",))
    deploy = _refused(transport, tenant_b, lambda c: c.deploy(BPMN))
    assert deploy.rejection_type == "FORBIDDEN"
    assert (
        "with tenant identifier '<default>', but principal 'ops-b' is not authorized for this"
        " tenant" in deploy.reason
    )
    cancel = _refused(transport, tenant_b, lambda c: c.cancel_instance(instance))
    assert cancel.rejection_type == "NOT_FOUND"
    assert f"Expected to cancel process instance with key '{instance}', but no such" in (
        cancel.reason
    )
    activate = _refused(
        transport,
        Principal("w-b", Role.WORKER, ("cli-work",), ("tenant-b",)),
        lambda c: c.activate_jobs("cli-work", max_jobs=1, timeout=60),
    )
    assert activate.rejection_type == "FORBIDDEN"


def test_tenant_a_s_principals_work_in_tenant_a_and_tenant_b_s_cannot_touch_it(
    transport: SignedTransport,
) -> None:
    ops_a = Principal("ops-a", Role.OPERATOR, tenants=("tenant-a",))
    worker_a = Principal("w-a", Role.WORKER, ("cli-work",), ("tenant-a",))
    worker_b = Principal("w-b", Role.WORKER, ("cli-work",), ("tenant-b",))
    with sent_by(transport, ops_a) as ops:
        ops.deploy(BPMN, tenant_id="tenant-a")
        instance = ops.create_instance("cli-task", tenant_id="tenant-a")
    asks_for_a = _refused(
        transport,
        worker_b,
        lambda c: c.activate_jobs("cli-work", max_jobs=1, timeout=60, tenant_ids=["tenant-a"]),
    )
    assert asks_for_a.rejection_type == "FORBIDDEN"
    assert "tenant identifier 'tenant-a', but principal 'w-b' is not authorized" in (
        asks_for_a.reason
    )
    with sent_by(transport, worker_b) as worker:  # its own tenant has no such jobs
        assert (
            worker.activate_jobs("cli-work", max_jobs=1, timeout=60, tenant_ids=["tenant-b"]) == []
        )
    with sent_by(transport, worker_a) as worker:
        (job,) = worker.activate_jobs("cli-work", max_jobs=1, timeout=60, tenant_ids=["tenant-a"])
    assert job.process_instance_key == instance
    complete = _refused(transport, worker_b, lambda c: c.complete_job(job.key))
    assert complete.rejection_type == "NOT_FOUND"
    cancel = _refused(
        transport, Principal("ops-b", Role.OPERATOR, tenants=("tenant-b",)),
        lambda c: c.cancel_instance(instance),
    )  # fmt: skip
    assert cancel.rejection_type == "NOT_FOUND"
    with sent_by(transport, worker_a) as worker:
        worker.complete_job(job.key)
