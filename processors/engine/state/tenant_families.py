"""Tenant-scoped lookups: the column family of an index keyed by a name the tenant chose (a
BPMN process id, a message name, a decision id). The default tenant keeps the family's own
name, so state written before tenants existed reads the same; tenant T's entries live in
`<family>@T` (tenant ids are `[A-Za-z0-9_.-]`, checked at the engine's door), so no prefix
scan of one tenant ever reaches another's."""

from __future__ import annotations

from broker.protocol.values import DEFAULT_TENANT_ID


def tenant_family(family: str, tenant_id: str) -> str:
    if tenant_id == DEFAULT_TENANT_ID or not tenant_id:
        return family
    return f"{family}@{tenant_id}"
