"""Who may send which command, when the engine checks signed commands (docs/security.md,
"Who sent a command"). The runtime checked the signature and hands the core the `Principal`
(or why it could not: `Unverified`); the rules here decide with the engine's state (a job's
type and tenant, an instance's tenant). A refused command is rejected before any processor
runs, so nothing else changes.

- admin and engine: anything (the engine sends the commands between partitions);
- operator and gateway: every command a client sends, none of those between partitions;
- worker of job types T: activate jobs of T, and complete, fail, throw errors on, update or
  extend jobs of T;
- exporter and reader: no command.

A principal may name only its tenants; a job or instance of another tenant is, for it, a job
or instance that does not exist (NOT_FOUND, as Zeebe answers).
"""

from __future__ import annotations

from typing import Any, Final

from broker.protocol import NO_KEY, Record, RejectionType, ValueType
from broker.protocol.intents import (
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    MessageCorrelationIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    SignalIntent,
    UserTaskIntent,
    VariableDocumentIntent,
)
from broker.protocol.principal import Principal, Role, Unverified
from processors.engine.state import StateReaders

Refusal = tuple[RejectionType, str]

_WORKER_JOB_INTENTS: Final = frozenset(
    {
        JobIntent.COMPLETE,
        JobIntent.FAIL,
        JobIntent.THROW_ERROR,
        JobIntent.UPDATE_RETRIES,
        JobIntent.UPDATE_TIMEOUT,
        JobIntent.YIELD,
        JobIntent.UPDATE,
    }
)

_CLIENT_COMMANDS: Final = frozenset(
    {
        (ValueType.DEPLOYMENT, DeploymentIntent.CREATE),
        (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE),
        (
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
        ),
        (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL),
        (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE),
        *((ValueType.JOB, intent) for intent in _WORKER_JOB_INTENTS),
        (ValueType.INCIDENT, IncidentIntent.RESOLVE),
        (ValueType.MESSAGE, MessageIntent.PUBLISH),
        (ValueType.MESSAGE_CORRELATION, MessageCorrelationIntent.CORRELATE),
        (ValueType.SIGNAL, SignalIntent.BROADCAST),
        (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATE),
        (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE),
        (ValueType.PROCESS_INSTANCE_MODIFICATION, ProcessInstanceModificationIntent.MODIFY),
        (ValueType.PROCESS_INSTANCE_MIGRATION, ProcessInstanceMigrationIntent.MIGRATE),
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETE),
        *(
            (ValueType.USER_TASK, intent)
            for intent in (
                UserTaskIntent.ASSIGN,
                UserTaskIntent.CLAIM,
                UserTaskIntent.COMPLETE,
                UserTaskIntent.UPDATE,
            )
        ),
    }
)
"""What an operator (or a gateway) may send: the commands of the client API. The others are
the engine's own (between partitions, follow-ups, a deployment distributed with its key)."""


def authorization_refusal(
    command: Record[Any], sender: Principal | Unverified, state: StateReaders
) -> Refusal | None:
    """Why `sender` may not send `command`, or None when it may."""
    if isinstance(sender, Unverified):
        who = f"principal '{sender.claimed}'" if sender.claimed else "an unnamed sender"
        return (
            RejectionType.UNAUTHORIZED,
            f"Expected a command signed by a principal the admin certified, but the command of"
            f" {who} is refused: {sender.reason}",
        )
    role = sender.role
    if role is Role.ADMIN or role is Role.ENGINE:
        return None
    kind = (command.value_type, command.intent)
    if role is Role.WORKER:
        refusal = _worker_refusal(command, sender, state)
    elif role is Role.OPERATOR or role is Role.GATEWAY:
        allowed = kind in _CLIENT_COMMANDS and not (
            command.value_type is ValueType.DEPLOYMENT and command.key != NO_KEY
        )
        refusal = None if allowed else _forbidden(command, sender, "the engine's own command")
    else:
        refusal = _forbidden(command, sender, f"a {role} sends no commands")
    if refusal is not None:
        return refusal
    return _tenant_refusal(command, sender, state)


def _forbidden(command: Record[Any], sender: Principal, why: str) -> Refusal:
    return (
        RejectionType.FORBIDDEN,
        f"Insufficient permissions to perform operation '{command.intent}' on resource"
        f" '{command.value_type}': principal '{sender.audit_name}' is a {sender.role} ({why})",
    )


def _worker_refusal(command: Record[Any], sender: Principal, state: StateReaders) -> Refusal | None:
    types = ", ".join(sender.job_types)
    if command.value_type is ValueType.JOB_BATCH and command.intent is JobBatchIntent.ACTIVATE:
        job_type = command.value.type
        if job_type in sender.job_types:
            return None
        return _forbidden(
            command, sender, f"it may activate jobs of type {types}, not of type '{job_type}'"
        )
    if command.value_type is ValueType.JOB and command.intent in _WORKER_JOB_INTENTS:
        job = state.jobs.get(command.key)
        if job is None:  # the processor rejects it as NOT_FOUND
            return None
        if job.value.tenant_id not in sender.tenants:
            return _not_found(command)
        if job.value.type in sender.job_types:
            return None
        return _forbidden(
            command,
            sender,
            f"it may {str(command.intent).lower().replace('_', ' ')} jobs of type {types},"
            f" and job {command.key} is of type '{job.value.type}'",
        )
    return _forbidden(command, sender, f"a worker of job type {types} sends job commands only")


def _not_found(command: Record[Any]) -> Refusal:
    noun = "job" if command.value_type is ValueType.JOB else "process instance"
    return (
        RejectionType.NOT_FOUND,
        f"Expected to {str(command.intent).lower().replace('_', ' ')} {noun} with key"
        f" '{command.key}', but no such {noun} was found",
    )


def _tenant_refusal(command: Record[Any], sender: Principal, state: StateReaders) -> Refusal | None:
    """A tenant the command names that the principal is not granted, or an instance it is
    about that belongs to such a tenant."""
    value = command.value
    named: tuple[str, ...]
    if command.value_type is ValueType.JOB_BATCH:
        named = tuple(getattr(value, "tenant_ids", ()))
    else:
        tenant = getattr(value, "tenant_id", "")
        named = (tenant,) if tenant else ()
    foreign = [t for t in named if t.strip() and t not in sender.tenants]
    if foreign:
        return (
            RejectionType.FORBIDDEN,
            f"Expected to handle {command.value_type} {command.intent} with tenant identifier"
            f" '{foreign[0]}', but principal '{sender.audit_name}' is not authorized for this"
            " tenant",
        )
    if command.value_type is ValueType.PROCESS_INSTANCE and command.key != NO_KEY:
        instance = state.elements.get(command.key)
        if instance is not None and instance.value.tenant_id not in sender.tenants:
            return _not_found(command)
    if command.value_type is ValueType.JOB and command.key != NO_KEY:
        job = state.jobs.get(command.key)
        if job is not None and job.value.tenant_id not in sender.tenants:
            return _not_found(command)
    return None
