"""Which tenants the logged-in user of `honeyflow web --users` sees (docs/tenants.md): the
tenants the users file grants (`honeyflow web users add NAME --tenant A`), or only the default
tenant `<default>` for a user granted none, as Zeebe does. Without a login every tenant.

Every store query of the console passes these tenants, and a page or action on one entity
first asks the tenant of its instance: another tenant's instance, incident or task is
answered 404 as one that does not exist, and nothing is sent to the engine.

Read `granted_tenants()` in the handler, not in the store thread: the session lives in a
context variable of the request, which the store's thread does not see."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from clients.web.session_context import current_session
from processors.exporter.errors import NotFoundError
from processors.exporter.queries import Queries

DEFAULT_TENANT: Final = "<default>"


def granted_tenants() -> frozenset[str] | None:
    """The logged-in user's tenants; None (every tenant) without a login."""
    session = current_session()
    if session is None:
        return None
    return frozenset(session.user.tenants) or frozenset({DEFAULT_TENANT})


def may_see(tenant: str | None, tenants: Collection[str] | None) -> bool:
    """Whether an entity of `tenant` (None: the store does not know it) is shown."""
    if tenants is None:
        return True
    return tenant is not None and (tenant or DEFAULT_TENANT) in tenants


def check_instance(q: Queries, key: int, tenants: Collection[str] | None) -> str | None:
    """The instance's tenant; NotFoundError, as for a missing instance, if it is not one of
    `tenants` (or the store does not know the instance and only some tenants are allowed)."""
    tenant = q.tenant_of(process_instance_key=key)
    if not may_see(tenant, tenants):
        raise NotFoundError(f"no process instance with key {key}")
    return tenant
