"""What a batch action of the web console works through: the active instances of a process
(all versions) filtered by where they wait and by the type of an open incident, and the open
incidents of a process filtered the same way. At most `limit` items, oldest first."""

from __future__ import annotations

from dataclasses import dataclass

from processors.exporter.store import Store

BATCH_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class BatchItem:
    """An instance (to cancel) or an incident (to resolve; `job_key` > 0 needs retries)."""

    key: int
    process_instance_key: int
    element_id: str
    error_type: str
    job_key: int


def instances_to_cancel(
    store: Store, bpmn_process_id: str, element_id: str, error_type: str, limit: int = BATCH_LIMIT
) -> list[BatchItem]:
    sql = (
        "SELECT p.process_instance_key FROM process_instances p WHERE p.bpmn_process_id = ?"
        " AND p.state = 'ACTIVE'"
    )
    params: list[object] = [bpmn_process_id]
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
    sql += " ORDER BY p.start_time, p.process_instance_key LIMIT ?"
    rows = store.query(sql, (*params, limit))
    return [BatchItem(int(k), int(k), element_id, error_type, -1) for (k,) in rows]


def incidents_to_resolve(
    store: Store, bpmn_process_id: str, element_id: str, error_type: str, limit: int = BATCH_LIMIT
) -> list[BatchItem]:
    sql = (
        "SELECT incident_key, process_instance_key, element_id, error_type, job_key"
        " FROM incidents WHERE bpmn_process_id = ? AND state = 'OPEN'"
    )
    params: list[object] = [bpmn_process_id]
    if element_id:
        sql += " AND element_id = ?"
        params.append(element_id)
    if error_type:
        sql += " AND error_type = ?"
        params.append(error_type)
    sql += " ORDER BY created_at, incident_key LIMIT ?"
    return [
        BatchItem(int(k), int(pi), str(e), str(t), int(j))
        for k, pi, e, t, j in store.query(sql, (*params, limit))
    ]
