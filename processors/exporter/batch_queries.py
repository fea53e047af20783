"""What a batch action works through (the web console's batch form and `honeyflow batch`):
the active instances of a process (to cancel or migrate) and the open incidents of a process
(to resolve), filtered by the process version, the element they wait at, the type of an open
incident and the value of a variable, of the caller's `tenants` (None: every tenant). At
most `limit` items, oldest first.

The state is implied by the action: cancel and migrate find ACTIVE instances, resolve finds
OPEN incidents (the only states those commands apply to). A variable matches in any scope of
the instance (the process's or an element's) when its stored JSON value equals the one given
— compared as JSON values, so `5` and `5.0` or differently spaced objects are the same."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from processors.exporter.store import Store
from processors.exporter.tenant_filter import tenant_condition

BATCH_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class BatchItem:
    """An instance (to cancel or migrate) or an incident (to resolve; `job_key` > 0 needs
    retries)."""

    key: int
    process_instance_key: int
    element_id: str
    error_type: str
    job_key: int


def instances_to_cancel(
    store: Store,
    bpmn_process_id: str,
    element_id: str,
    error_type: str,
    limit: int = BATCH_LIMIT,
    *,
    version: int | None = None,
    variable: tuple[str, object] | None = None,
    tenants: Collection[str] | None = None,
) -> list[BatchItem]:
    """The active instances of the process that match (also the ones a batch migrates)."""
    sql = (
        "SELECT p.process_instance_key FROM process_instances p WHERE p.bpmn_process_id = ?"
        " AND p.state = 'ACTIVE'"
    )
    params: list[object] = [bpmn_process_id]
    condition, names = tenant_condition("p.tenant_id", tenants)
    if condition:
        sql += f" AND {condition}"
        params += names
    if version is not None:
        sql += " AND p.version = ?"
        params.append(version)
    if element_id:
        sql += (
            " AND EXISTS (SELECT 1 FROM element_instances e WHERE e.process_instance_key ="
            " p.process_instance_key AND e.element_id = ? AND e.state = 'ACTIVE')"
        )
        params.append(element_id)
    if error_type:
        sql += (
            " AND EXISTS (SELECT 1 FROM incidents i WHERE i.process_instance_key ="
            " p.process_instance_key AND i.error_type = ? AND i.state = 'OPEN')"
        )
        params.append(error_type)
    sql += " ORDER BY p.start_time, p.process_instance_key"
    keys = [int(k) for (k,) in store.query(sql, tuple(params))]
    keys = _with_variable(store, keys, variable)[:limit]
    return [BatchItem(k, k, element_id, error_type, -1) for k in keys]


def incidents_to_resolve(
    store: Store,
    bpmn_process_id: str,
    element_id: str,
    error_type: str,
    limit: int = BATCH_LIMIT,
    *,
    version: int | None = None,
    variable: tuple[str, object] | None = None,
    tenants: Collection[str] | None = None,
) -> list[BatchItem]:
    sql = (
        "SELECT i.incident_key, i.process_instance_key, i.element_id, i.error_type, i.job_key"
        " FROM incidents i WHERE i.bpmn_process_id = ? AND i.state = 'OPEN'"
    )
    params: list[object] = [bpmn_process_id]
    condition, names = tenant_condition("i.tenant_id", tenants)
    if condition:
        sql += f" AND {condition}"
        params += names
    if version is not None:
        sql += (
            " AND i.process_definition_key IN (SELECT d.process_definition_key FROM"
            " process_definitions d WHERE d.bpmn_process_id = ? AND d.version = ?)"
        )
        params += [bpmn_process_id, version]
    if element_id:
        sql += " AND i.element_id = ?"
        params.append(element_id)
    if error_type:
        sql += " AND i.error_type = ?"
        params.append(error_type)
    sql += " ORDER BY i.created_at, i.incident_key"
    items = [
        BatchItem(int(k), int(pi), str(e), str(t), int(j))
        for k, pi, e, t, j in store.query(sql, tuple(params))
    ]
    if variable is not None:
        having = set(_with_variable(store, [i.process_instance_key for i in items], variable))
        items = [i for i in items if i.process_instance_key in having]
    return items[:limit]


def _with_variable(
    store: Store, instance_keys: list[int], variable: tuple[str, object] | None
) -> list[int]:
    """The keys of `instance_keys` (in their order) with a variable of that name and value."""
    if variable is None or not instance_keys:
        return instance_keys
    name, wanted = variable
    wanted_keys = set(instance_keys)
    matching: set[int] = set()
    for key, value in store.query(
        "SELECT process_instance_key, value FROM variables WHERE name = ?", (name,)
    ):
        if int(key) in wanted_keys and int(key) not in matching and _equals(str(value), wanted):
            matching.add(int(key))
    return [k for k in instance_keys if k in matching]


def _equals(stored: str, wanted: object) -> bool:
    try:
        value = json.loads(stored)
    except ValueError:
        return False
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted  # JSON true is not 1
    return bool(value == wanted)
