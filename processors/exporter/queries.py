"""The read-only query API over the store: what `honeyflow status|instances|instance|
incidents` print and what a web page shows. Every method is one or a few indexed SQL
queries; nothing here writes. SQL text is joined only from constant fragments of this
module (hence the `noqa: S608`); every value is a parameter. Percentiles are nearest-rank
(the value at rank ⌈p·n⌉ of the sorted durations), computed the same way on both databases.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from typing import Any

from processors.exporter.decision_queries import DecisionQueries
from processors.exporter.errors import NotFoundError
from processors.exporter.store import Row, Store
from processors.exporter.tenant_filter import tenant_condition
from processors.exporter.user_task_queries import UserTaskQueries
from processors.exporter.views import (
    AuditEntry,
    ElementInstance,
    ElementStats,
    Incident,
    InstanceDetail,
    InstanceSummary,
    Job,
    PartitionLag,
    ProcessDefinition,
    ProcessStats,
    Variable,
)

INSTANCE_STATES = ("ACTIVE", "COMPLETED", "CANCELED")
INCIDENT_STATES = ("OPEN", "RESOLVED")

_INSTANCE_COLUMNS = (
    "i.process_instance_key, i.bpmn_process_id, i.version, i.process_definition_key, i.state,"
    " i.start_time, i.end_time, i.duration_ms,"
    " (SELECT COUNT(*) FROM incidents n WHERE n.process_instance_key = i.process_instance_key"
    " AND n.state = 'OPEN')"
)
_INCIDENT_COLUMNS = (
    "incident_key, process_instance_key, bpmn_process_id, element_id, element_instance_key,"
    " job_key, error_type, error_message, state, created_at, resolved_at"
)


class Queries(UserTaskQueries, DecisionQueries):
    """Read-only views of one store. `window_start_ms` arguments bound durations to
    instances that completed at or after that time (engine clock, epoch ms). The task
    list's queries are `UserTaskQueries`', the decisions' `DecisionQueries`'."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- processes ---------------------------------------------------------------------

    def process_stats(self, window_start_ms: int | None = None) -> list[ProcessStats]:
        """Per process version, ordered by process id and version."""
        q = self.store.query
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for key, state, count in q(
            "SELECT process_definition_key, state, COUNT(*) FROM process_instances"
            " GROUP BY process_definition_key, state"
        ):
            counts[key][state] = int(count)
        incidents: dict[int, int] = dict(
            q(
                "SELECT process_definition_key, COUNT(*) FROM incidents WHERE state = ?"
                " GROUP BY process_definition_key",
                ("OPEN",),
            )
        )
        window_sql, window_params = _window(window_start_ms)
        durations = {
            key: (int(n), int(total))
            for key, n, total in q(
                "SELECT process_definition_key, COUNT(*), SUM(duration_ms) FROM process_instances"  # noqa: S608
                f" WHERE state = ?{window_sql} GROUP BY process_definition_key",
                ("COMPLETED", *window_params),
            )
        }
        result = []
        for key, process_id, version in q(
            "SELECT process_definition_key, bpmn_process_id, version FROM process_definitions"
            " ORDER BY bpmn_process_id, version"
        ):
            n, total = durations.get(key, (0, 0))
            by_state = counts.get(key, {})
            result.append(
                ProcessStats(
                    bpmn_process_id=process_id,
                    version=int(version),
                    process_definition_key=int(key),
                    active=by_state.get("ACTIVE", 0),
                    completed=by_state.get("COMPLETED", 0),
                    canceled=by_state.get("CANCELED", 0),
                    incidents=int(incidents.get(key, 0)),
                    duration_mean_ms=total / n if n else None,
                    duration_p50_ms=self._percentile(key, n, 50, window_start_ms),
                    duration_p95_ms=self._percentile(key, n, 95, window_start_ms),
                )
            )
        return result

    def _percentile(self, key: int, n: int, p: int, window_start_ms: int | None) -> int | None:
        if n == 0:
            return None
        rank = max(math.ceil(p * n / 100), 1)
        window_sql, window_params = _window(window_start_ms)
        rows = self.store.query(
            "SELECT duration_ms FROM process_instances WHERE process_definition_key = ?"  # noqa: S608
            f" AND state = ?{window_sql} ORDER BY duration_ms LIMIT 1 OFFSET ?",
            (key, "COMPLETED", *window_params, rank - 1),
        )
        return int(rows[0][0]) if rows else None

    def definitions(self, *, tenants: Collection[str] | None = None) -> list[ProcessDefinition]:
        """Every deployed process version (of `tenants`, when given), without its XML."""
        condition, params = tenant_condition("tenant_id", tenants)
        where = f" WHERE {condition}" if condition else ""
        rows = self.store.query(
            "SELECT process_definition_key, bpmn_process_id, version, version_tag,"  # noqa: S608
            f" resource_name, deployed_at, NULL FROM process_definitions{where}"
            " ORDER BY bpmn_process_id, version",
            tuple(params),
        )
        return [ProcessDefinition(*row) for row in rows]

    def definition(self, process_definition_key: int) -> ProcessDefinition:
        """One process version with its BPMN XML (for drawing the diagram)."""
        rows = self.store.query(
            "SELECT process_definition_key, bpmn_process_id, version, version_tag,"
            " resource_name, deployed_at, bpmn_xml FROM process_definitions"
            " WHERE process_definition_key = ?",
            (process_definition_key,),
        )
        if not rows:
            raise NotFoundError(f"no process definition with key {process_definition_key}")
        return ProcessDefinition(*rows[0])

    def element_stats(self, process_definition_key: int) -> list[ElementStats]:
        """Per element of a process version: element instances per state and open
        incidents (sequence flows excluded), ordered by element id."""
        stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for element, state, count in self.store.query(
            "SELECT e.element_id, e.state, COUNT(*) FROM element_instances e"
            " JOIN process_instances i ON i.process_instance_key = e.process_instance_key"
            " WHERE i.process_definition_key = ? AND e.state <> ?"
            " GROUP BY e.element_id, e.state",
            (process_definition_key, "TAKEN"),
        ):
            stats[element][state] = int(count)
        for element, count in self.store.query(
            "SELECT element_id, COUNT(*) FROM incidents WHERE process_definition_key = ?"
            " AND state = ? GROUP BY element_id",
            (process_definition_key, "OPEN"),
        ):
            stats[element]["INCIDENT"] = int(count)
        return [
            ElementStats(
                element_id=element,
                active=s["ACTIVE"],
                completed=s["COMPLETED"],
                terminated=s["TERMINATED"],
                incidents=s["INCIDENT"],
            )
            for element, s in sorted(stats.items())
        ]

    # -- the exporter ------------------------------------------------------------------

    def exporter_lag(self) -> list[PartitionLag]:
        rows = self.store.query(
            "SELECT partition_id, position, next_offset, end_offset, updated_at"
            " FROM exporter_positions ORDER BY partition_id"
        )
        return [
            PartitionLag(
                partition_id=int(p),
                position=int(pos),
                next_offset=int(nxt),
                end_offset=int(end),
                lag=max(int(end) - int(nxt), 0),
                updated_at=int(updated),
            )
            for p, pos, nxt, end, updated in rows
        ]

    # -- instances ---------------------------------------------------------------------

    def instances(
        self,
        bpmn_process_id: str | None = None,
        state: str | None = None,
        limit: int = 50,
        before: tuple[int, int] | None = None,
        *,
        tenants: Collection[str] | None = None,
    ) -> list[InstanceSummary]:
        """Newest first. `before` (start time, key) of the last one of a page gives the next
        page (keyset paging: every page is one index range, however deep). `tenants`: only
        instances of these tenants (None: of every tenant)."""
        where: list[str] = []
        params: list[Any] = []
        condition, names = tenant_condition("i.tenant_id", tenants)
        if condition:
            where.append(condition)
            params.extend(names)
        if bpmn_process_id is not None:
            where.append("i.bpmn_process_id = ?")
            params.append(bpmn_process_id)
        if state is not None:
            where.append("i.state = ?")
            params.append(state)
        if before is not None:
            # The first term is a range an index can seek to; the second breaks ties.
            where.append("i.start_time <= ? AND (i.start_time < ? OR i.process_instance_key < ?)")
            params.extend((before[0], before[0], before[1]))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.store.query(
            f"SELECT {_INSTANCE_COLUMNS} FROM process_instances i{clause}"  # noqa: S608
            " ORDER BY i.start_time DESC, i.process_instance_key DESC LIMIT ?",
            (*params, limit),
        )
        return [_summary(row) for row in rows]

    def instance(self, process_instance_key: int) -> InstanceDetail:
        q = self.store.query
        key = (process_instance_key,)
        rows = q(
            f"SELECT {_INSTANCE_COLUMNS} FROM process_instances i"  # noqa: S608
            " WHERE i.process_instance_key = ?",
            key,
        )
        if not rows:
            raise NotFoundError(f"no process instance with key {process_instance_key}")
        path = tuple(
            ElementInstance(*row)
            for row in q(
                "SELECT element_instance_key, element_id, bpmn_element_type, state,"
                " flow_scope_key, start_time, end_time FROM element_instances"
                " WHERE process_instance_key = ? ORDER BY position",
                key,
            )
        )
        scopes = {e.flow_scope_key for e in path if e.state == "ACTIVE"}
        waiting = tuple(
            e for e in path if e.state == "ACTIVE" and e.element_instance_key not in scopes
        )
        variables = tuple(
            Variable(*row)
            for row in q(
                "SELECT scope_key, name, value, updated_at FROM variables"
                " WHERE process_instance_key = ? ORDER BY scope_key, name",
                key,
            )
        )
        jobs = tuple(
            Job(*row)
            for row in q(
                "SELECT job_key, element_id, element_instance_key, job_type, worker, retries,"
                " state, error_message, updated_at FROM jobs WHERE process_instance_key = ?"
                " ORDER BY job_key",
                key,
            )
        )
        incidents = tuple(
            Incident(*row)
            for row in q(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE process_instance_key = ?"  # noqa: S608
                " ORDER BY incident_key",
                key,
            )
        )
        audit = tuple(
            AuditEntry(*row)
            for row in q(
                "SELECT partition_id, position, record_timestamp, record_type, value_type,"
                " intent, record_key, element_id, rejection_reason FROM audit_records"
                " WHERE process_instance_key = ? ORDER BY partition_id, position",
                key,
            )
        )
        return InstanceDetail(
            instance=_summary(rows[0]),
            path=path,
            waiting_at=waiting,
            variables=variables,
            jobs=jobs,
            incidents=incidents,
            audit=audit,
        )

    # -- incidents ---------------------------------------------------------------------

    def incidents(
        self,
        state: str | None = "OPEN",
        limit: int = 100,
        before: tuple[int, int] | None = None,
        *,
        tenants: Collection[str] | None = None,
    ) -> list[Incident]:
        """Newest first; `state` None for all; `before` (created at, key) and `tenants` as in
        `instances`."""
        conditions: list[str] = []
        params: list[Any] = []
        condition, names = tenant_condition("tenant_id", tenants)
        if condition:
            conditions.append(condition)
            params.extend(names)
        if state is not None:
            conditions.append("state = ?")
            params.append(state)
        if before is not None:
            conditions.append("created_at <= ? AND (created_at < ? OR incident_key < ?)")
            params.extend((before[0], before[0], before[1]))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self.store.query(
            f"SELECT {_INCIDENT_COLUMNS} FROM incidents{where}"  # noqa: S608
            " ORDER BY created_at DESC, incident_key DESC LIMIT ?",
            (*params, limit),
        )
        return [Incident(*row) for row in rows]

    def tenant_of(self, *, process_instance_key: int) -> str | None:
        """The tenant of an instance (None if the store does not know it): whether a caller
        of some tenants may open its page or act on it."""
        rows = self.store.query(
            "SELECT tenant_id FROM process_instances WHERE process_instance_key = ?",
            (process_instance_key,),
        )
        return None if not rows else str(rows[0][0])

    def definition_tenants(self) -> dict[int, str]:
        """The tenant of every process version, by definition key."""
        rows = self.store.query("SELECT process_definition_key, tenant_id FROM process_definitions")
        return {int(key): str(tenant) for key, tenant in rows}

    def definition_tenant(self, process_definition_key: int) -> str | None:
        """The tenant of a process version (None if the store does not know it)."""
        rows = self.store.query(
            "SELECT tenant_id FROM process_definitions WHERE process_definition_key = ?",
            (process_definition_key,),
        )
        return None if not rows else str(rows[0][0])

    def incident(self, incident_key: int) -> Incident:
        rows = self.store.query(
            f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE incident_key = ?",  # noqa: S608
            (incident_key,),
        )
        if not rows:
            raise NotFoundError(f"no incident with key {incident_key}")
        return Incident(*rows[0])


def _window(start_ms: int | None) -> tuple[str, tuple[Any, ...]]:
    return ("", ()) if start_ms is None else (" AND end_time >= ?", (start_ms,))


def _summary(row: Row) -> InstanceSummary:
    key, process_id, version, definition, state, start, end, duration, incidents = row
    return InstanceSummary(
        key, process_id, version, definition, state, start, end, duration, int(incidents)
    )
