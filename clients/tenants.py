"""The tenants of client calls, as Zeebe's clients take them: `tenant_id` on a call that makes
something (deploy, create, publish, broadcast, evaluate) and `tenant_ids` on job activation.
Leaving them out means the default tenant (`<default>`), so code that never heard of tenants
runs as before. The engine checks that a tenant is a tenant identifier (docs/tenants.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Final

from broker.protocol import Record
from broker.protocol.values import DEFAULT_TENANT_ID
from clients.arguments import Arguments

DEFAULT_TENANTS: Final = (DEFAULT_TENANT_ID,)


def with_tenant(command: Record[Any], call: str, tenant_id: object) -> Record[Any]:
    """`command` with the call's tenant; unchanged when the call names none."""
    if tenant_id is None:
        return command
    tenant = Arguments(call).text("tenant_id", tenant_id)
    value = dataclasses.replace(command.value, tenant_id=tenant)
    return Record.command(command.intent, value, key=command.key)


def tenant_list(call: str, tenant_ids: Sequence[str] | None) -> tuple[str, ...]:
    """The tenants a job activation names: the default tenant when it names none; each once,
    in the order given."""
    if tenant_ids is None:
        return DEFAULT_TENANTS
    named = Arguments(call).names("tenant_ids", tenant_ids)
    return tuple(dict.fromkeys(named)) or DEFAULT_TENANTS
