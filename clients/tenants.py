"""The `tenant_id` of client calls, as Zeebe's clients take it. Honeyflow has no tenants yet:
the engine accepts only the default tenant (`<default>`, or leaving it out) and rejects any other
with INVALID_ARGUMENT ("... but multi-tenancy is disabled"), so code brought from Camunda with a
tenant fails loudly instead of running as the default tenant."""

from __future__ import annotations

import dataclasses
from typing import Any

from broker.protocol import Record
from clients.arguments import Arguments


def with_tenant(command: Record[Any], call: str, tenant_id: object) -> Record[Any]:
    """`command` with the call's tenant; unchanged when the call names none."""
    if tenant_id is None:
        return command
    tenant = Arguments(call).text("tenant_id", tenant_id)
    value = dataclasses.replace(command.value, tenant_id=tenant)
    return Record.command(command.intent, value, key=command.key)
