"""Tenant identifiers (docs/tenants.md), as Zeebe has them: `<default>`, or 1 to 31 of
`[A-Za-z0-9_.-]`. The engine, the clients, the gateway and the topic names share this rule."""

from __future__ import annotations

import re
from typing import Final

from broker.protocol.values import DEFAULT_TENANT_ID

TENANT_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_.-]{1,31}")


def tenant_problem(tenant: str) -> str | None:
    """Why `tenant` is no tenant identifier, in Zeebe's words; None when it is one."""
    if tenant == DEFAULT_TENANT_ID:
        return None
    if not tenant.strip():
        return "no tenant identifier was provided"
    if len(tenant) > 31:
        return "tenant identifier is longer than 31 characters"
    if TENANT_ID_PATTERN.fullmatch(tenant) is None:
        return "tenant identifier contains illegal characters"
    return None
