"""The tenant condition of the query store's lists (docs/tenants.md): a caller that may see
only some tenants (a web console user, a gateway client) passes them, and gets nothing of the
others. None means every tenant (an operator of the whole cluster); an empty collection,
none at all."""

from __future__ import annotations

from collections.abc import Collection


def tenant_condition(column: str, tenants: Collection[str] | None) -> tuple[str, list[str]]:
    """(SQL condition, its parameters) keeping rows whose `column` is one of `tenants`; an
    empty condition for None."""
    if tenants is None:
        return "", []
    names = sorted(set(tenants))
    if not names:
        return "1 = 0", []
    return f"{column} IN ({', '.join('?' * len(names))})", names
