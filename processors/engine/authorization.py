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
from broker.protocol.principal import DEFAULT_TENANTS, Principal, Role, Unverified
from processors.engine.state import StateReaders

Refusal = tuple[RejectionType, str]
DEFAULT_TENANT: Final = DEFAULT_TENANTS[0]

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


_NOUNS: Final = {
    ValueType.JOB: "job",
    ValueType.USER_TASK: "user task",
    ValueType.INCIDENT: "incident",
    ValueType.VARIABLE_DOCUMENT: "element instance",
}


def _not_found(command: Record[Any]) -> Refusal:
    noun = _NOUNS.get(command.value_type, "process instance")
    return (
        RejectionType.NOT_FOUND,
        f"Expected to {str(command.intent).lower().replace('_', ' ')} {noun} with key"
        f" '{command.key}', but no such {noun} was found",
    )


_TENANT_NAMING: Final = frozenset(
    {
        (ValueType.DEPLOYMENT, DeploymentIntent.CREATE),
        (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE),
        (
            ValueType.PROCESS_INSTANCE_CREATION,
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
        ),
        (ValueType.MESSAGE, MessageIntent.PUBLISH),
        (ValueType.MESSAGE_CORRELATION, MessageCorrelationIntent.CORRELATE),
        (ValueType.SIGNAL, SignalIntent.BROADCAST),
        (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE),
        (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE),
    }
)
"""Commands that name the tenant they act in (a blank one, or none, is the default tenant).
Every other client command acts on an entity, which has its tenant."""
_INSTANCE_KEYED: Final = frozenset(
    {
        ValueType.PROCESS_INSTANCE,
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ValueType.PROCESS_INSTANCE_MIGRATION,
    }
)


def _tenant_refusal(command: Record[Any], sender: Principal, state: StateReaders) -> Refusal | None:
    """A tenant the command names that the principal is not granted (FORBIDDEN), or an entity
    it is about that belongs to such a tenant (NOT_FOUND: for this principal, it does not
    exist)."""
    value = command.value
    value_type = command.value_type
    if (value_type, command.intent) in _TENANT_NAMING:
        if value_type is ValueType.JOB_BATCH:
            named = tuple(t.strip() or DEFAULT_TENANT for t in value.tenant_ids)
        else:
            named = (value.tenant_id.strip() or DEFAULT_TENANT,)
        foreign = [t for t in named or (DEFAULT_TENANT,) if t not in sender.tenants]
        if foreign:
            return (
                RejectionType.FORBIDDEN,
                f"Expected to handle {value_type} {command.intent} with tenant identifier"
                f" '{foreign[0]}', but principal '{sender.audit_name}' is not authorized for"
                " this tenant",
            )
        return None
    owner = _owner_tenant(command, state)
    if owner is not None and owner not in sender.tenants:
        return _not_found(command)
    return None


def _owner_tenant(command: Record[Any], state: StateReaders) -> str | None:
    """The tenant of the entity `command` is about, if it exists."""
    value_type = command.value_type
    key = command.key
    if value_type in _INSTANCE_KEYED:
        instance = state.elements.get(key)
        return None if instance is None else instance.value.tenant_id
    if value_type is ValueType.JOB:
        job = state.jobs.get(key)
        return None if job is None else job.value.tenant_id
    if value_type is ValueType.USER_TASK:
        task = state.user_tasks.get(key)
        return None if task is None else task.value.tenant_id
    if value_type is ValueType.INCIDENT:
        incident = state.incidents.get(key)
        return None if incident is None else incident.tenant_id
    if value_type is ValueType.VARIABLE_DOCUMENT:
        scope = state.elements.get(command.value.scope_key)
        return None if scope is None else scope.value.tenant_id
    return None
