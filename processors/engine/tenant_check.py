"""Multi-tenancy is off: a command from outside that names a tenant other than the default one
is rejected as INVALID_ARGUMENT with Zeebe's wording for a gateway whose multi-tenancy is
disabled, instead of running as `<default>` without a word. A blank tenant means the default,
as in Zeebe."""

from __future__ import annotations

from typing import Any, Final

from broker.protocol import Record, ValueType
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
}


_DEFAULT_ONLY: Final = (DEFAULT_TENANT_ID,)


def _foreign(tenant: object) -> bool:
    return isinstance(tenant, str) and tenant.strip() not in ("", DEFAULT_TENANT_ID)


def tenant_rejection(command: Record[Any]) -> str | None:
    """The rejection reason when `command` names a tenant other than the default; else None."""
    value = command.value
    tenants: tuple[str, ...]
    if command.value_type is ValueType.JOB_BATCH:
        named = getattr(value, "tenant_ids", ())
        if not named or named == _DEFAULT_ONLY:  # the common cases, at no further call
            return None
        tenants = tuple(t for t in named if _foreign(t))
    else:
        tenant = getattr(value, "tenant_id", DEFAULT_TENANT_ID)
        if tenant == DEFAULT_TENANT_ID:  # the common case, at no further call
            return None
        tenants = (tenant,) if _foreign(tenant) else ()
    if not tenants:
        return None
    request = _REQUEST_NAMES.get(
        (str(command.value_type), str(command.intent)),
        f"{command.value_type} {command.intent}",
    )
    named = (
        f"tenant identifier '{tenants[0]}'"
        if len(tenants) == 1
        else "tenant identifiers " + ", ".join(f"'{t}'" for t in tenants)
    )
    return f"Expected to handle request {request} with {named}, but multi-tenancy is disabled"
