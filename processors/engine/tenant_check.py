"""Tenant identifiers at the engine's door. A command that names a tenant must name a valid
one, as Zeebe's gateway requires: `<default>`, or 1 to 31 of `[A-Za-z0-9_.-]`; anything else
is rejected as INVALID_ARGUMENT with Zeebe's wording, before any processor sees it. A blank
tenant means the default one (`blank_tenant_as_default`), as in Zeebe without multi-tenancy.

Which tenants a caller may name is not decided here: the gateway refuses a tenant its client
is not granted, and signed commands carry their principal's tenants (docs/tenants.md)."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from broker.protocol import Record, ValueType
from broker.protocol.tenants import tenant_problem
from broker.protocol.values import DEFAULT_TENANT_ID

_REQUEST_NAMES: Final[dict[tuple[str, str], str]] = {
    ("DEPLOYMENT", "CREATE"): "Deploy Resources",
    ("PROCESS_INSTANCE_CREATION", "CREATE"): "Create Process Instance",
    ("PROCESS_INSTANCE_CREATION", "CREATE_WITH_AWAITING_RESULT"): (
        "Create Process Instance With Result"
    ),
    ("MESSAGE", "PUBLISH"): "Publish Message",
    ("MESSAGE_CORRELATION", "CORRELATE"): "Correlate Message",
    ("SIGNAL", "BROADCAST"): "Broadcast Signal",
    ("JOB_BATCH", "ACTIVATE"): "Activate Jobs",
    ("DECISION_EVALUATION", "EVALUATE"): "Evaluate Decision",
}


def request_name(command: Record[Any]) -> str:
    return _REQUEST_NAMES.get(
        (str(command.value_type), str(command.intent)),
        f"{command.value_type} {command.intent}",
    )


def blank_tenant_as_default(command: Record[Any]) -> Record[Any]:
    """`command` with a blank `tenantId` (or blank entries of `tenantIds`) made the default
    tenant; the very same record in the common case."""
    value = command.value
    if command.value_type is ValueType.JOB_BATCH:
        named = getattr(value, "tenant_ids", ())
        if not named or not any(isinstance(t, str) and not t.strip() for t in named):
            return command
        fixed = tuple(DEFAULT_TENANT_ID if not t.strip() else t for t in named)
        return dataclasses.replace(command, value=dataclasses.replace(value, tenant_ids=fixed))
    tenant = getattr(value, "tenant_id", DEFAULT_TENANT_ID)
    if tenant == DEFAULT_TENANT_ID or not isinstance(tenant, str) or tenant.strip():
        return command
    return dataclasses.replace(
        command, value=dataclasses.replace(value, tenant_id=DEFAULT_TENANT_ID)
    )


def tenant_rejection(command: Record[Any]) -> str | None:
    """The rejection reason when `command` names a tenant that is no tenant identifier."""
    value = command.value
    if command.value_type is ValueType.JOB_BATCH:
        named = getattr(value, "tenant_ids", ())
        if not named:
            return None
        for tenant in named:
            problem = tenant_problem(tenant) if isinstance(tenant, str) else "not a text"
            if problem is not None:
                return _reason(command, tenant, problem)
        return None
    tenant = getattr(value, "tenant_id", DEFAULT_TENANT_ID)
    if tenant == DEFAULT_TENANT_ID:  # the common case, at no further call
        return None
    problem = tenant_problem(tenant) if isinstance(tenant, str) else "not a text"
    return None if problem is None else _reason(command, tenant, problem)


def _reason(command: Record[Any], tenant: object, problem: str) -> str:
    return (
        f"Expected to handle request {request_name(command)} with tenant identifier"
        f" '{tenant}', but {problem}"
    )
