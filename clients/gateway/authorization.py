"""What each role of a gateway client may call (docs/gateway.md, Authentication): pure checks
on a call's method and request.

- operator: every call;
- viewer: Topology;
- worker of job types T…: Topology; ActivateJobs and StreamActivatedJobs of a type T;
  CompleteJob, FailJob, ThrowError and UpdateJobTimeout of a job this gateway activated for a
  type T (the gateway remembers the type of each job it hands out: `ActivatedJobs`).

Every role acts only in its tenants (`<default>` when the clients file grants none): a call
naming another tenant is refused with Zeebe's words ("Expected to handle gRPC request
DeployResource with tenant identifier 'b', but tenant is not authorized to perform this
request"), and an activation that names no tenants gets the client's (`tenants_of`)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final

from broker.protocol.values import DEFAULT_TENANT_ID
from clients.gateway.clients_file import Client

_EVERYONE: Final = frozenset({"Topology"})
_ACTIVATE: Final = frozenset({"ActivateJobs", "StreamActivatedJobs"})
_ON_A_JOB: Final = frozenset({"CompleteJob", "FailJob", "ThrowError", "UpdateJobTimeout"})
_NAMING_A_TENANT: Final = frozenset(
    {
        "DeployResource",
        "CreateProcessInstance",
        "CreateProcessInstanceWithResult",
        "PublishMessage",
        "BroadcastSignal",
        "EvaluateDecision",
    }
)
_REMEMBERED: Final = 1_000_000
"""Jobs whose type the gateway keeps (about 100 bytes each); the oldest are forgotten first."""


class ActivatedJobs:
    """The type of each job this gateway handed out, by job key (bounded, oldest out first)."""

    def __init__(self, limit: int = _REMEMBERED) -> None:
        self._types: OrderedDict[int, str] = OrderedDict()
        self._limit = limit

    def handed_out(self, key: int, job_type: str) -> None:
        self._types[key] = job_type
        self._types.move_to_end(key)
        if len(self._types) > self._limit:
            self._types.popitem(last=False)

    def type_of(self, key: int) -> str | None:
        return self._types.get(key)


def tenants_of(client: Client) -> tuple[str, ...]:
    """The tenants a client acts in: those the clients file grants, else the default one."""
    return client.tenants or (DEFAULT_TENANT_ID,)


def tenant_refusal(client: Client, method: str, request: Any) -> str | None:
    """Why `client` may not name the tenant(s) of this call, in Zeebe's words; None if it
    may (or the call names none). An activation naming none is given the client's."""
    granted = tenants_of(client)
    if method in _ACTIVATE:
        if not request.tenantIds:
            request.tenantIds.extend(granted)
        named: tuple[str, ...] = tuple(request.tenantIds)
    elif method in _NAMING_A_TENANT:
        inner = request.request if method == "CreateProcessInstanceWithResult" else request
        named = (inner.tenantId.strip() or DEFAULT_TENANT_ID,)
    else:
        return None
    for tenant in named:
        if tenant not in granted:
            return (
                f"Expected to handle gRPC request {method} with tenant identifier '{tenant}',"
                " but tenant is not authorized to perform this request"
            )
    return None


def refusal(client: Client, method: str, request: Any, jobs: ActivatedJobs) -> str | None:
    """Why `client` may not make this call (PERMISSION_DENIED), or None if it may. `method` is
    the Gateway service's method name (`CompleteJob`)."""
    if method not in _EVERYONE and (why := tenant_refusal(client, method, request)):
        return why
    if client.role == "operator" or method in _EVERYONE:
        return None
    who = f"client {client.client_id} ({client.role})"
    if client.role == "worker":
        types = ", ".join(client.job_types)
        if method in _ACTIVATE:
            if request.type in client.job_types:
                return None
            return f"{who} may activate jobs of type {types}, not {request.type!r}"
        if method in _ON_A_JOB:
            job_type = jobs.type_of(request.jobKey)
            if job_type in client.job_types:
                return None
            if job_type is None:
                return (
                    f"{who}: job {request.jobKey} was not activated through this gateway "
                    f"(a worker may {method} only jobs it activated here, of type {types})"
                )
            job = f"job {request.jobKey} of type {job_type!r}"
            return f"{who} may work on jobs of type {types}, not on {job}"
    return f"{who} may not call {method}"
