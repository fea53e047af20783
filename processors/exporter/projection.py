"""Records → rows: one `ProjectionBatch` folds a batch of audit-log records into the inserts
and updates of the query store and writes them in one transaction, with the new per-partition
positions. Rows created and changed within the batch are merged in memory first, so a
one-task instance that starts and ends in one batch costs one insert, not five statements.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from broker.protocol import Record, RecordType, ValueType
from broker.protocol.intents import (
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceIntent,
    ProcessIntent,
    VariableIntent,
)
from broker.protocol.values import (
    BpmnElementType,
    IncidentRecordValue,
    JobBatchRecordValue,
    JobRecordValue,
    ProcessInstanceRecordValue,
    ProcessRecordValue,
    VariableRecordValue,
)
from processors.exporter.decision_projection import DecisionProjection
from processors.exporter.migration_projection import MigrationProjection
from processors.exporter.store import Transaction
from processors.exporter.user_task_projection import UserTaskProjection
from processors.metrics import JOB_EVENTS

_INSERT_DEFINITION = (
    "INSERT INTO process_definitions (process_definition_key, bpmn_process_id, version,"
    " version_tag, resource_name, deployment_key, bpmn_xml, deployed_at, tenant_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (process_definition_key) DO NOTHING"
)
_INSERT_INSTANCE = (
    "INSERT INTO process_instances (process_instance_key, process_definition_key,"
    " bpmn_process_id, version, state, start_time, end_time, duration_ms, partition_id,"
    " parent_process_instance_key, tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (process_instance_key) DO NOTHING"
)
_END_INSTANCE = (
    "UPDATE process_instances SET state = ?, end_time = ?, duration_ms = ? - start_time"
    " WHERE process_instance_key = ?"
)
_INSERT_ELEMENT = (
    "INSERT INTO element_instances (element_instance_key, process_instance_key,"
    " flow_scope_key, element_id, bpmn_element_type, state, start_time, end_time, position)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (element_instance_key) DO NOTHING"
)
_END_ELEMENT = "UPDATE element_instances SET state = ?, end_time = ? WHERE element_instance_key = ?"
_INSERT_INCIDENT = (
    "INSERT INTO incidents (incident_key, process_instance_key, process_definition_key,"
    " bpmn_process_id, element_id, element_instance_key, job_key, error_type, error_message,"
    " state, created_at, resolved_at, tenant_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (incident_key) DO NOTHING"
)
_RESOLVE_INCIDENT = "UPDATE incidents SET state = ?, resolved_at = ? WHERE incident_key = ?"
_UPSERT_VARIABLE = (
    "INSERT INTO variables (scope_key, name, process_instance_key, variable_key, value,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope_key, name) DO UPDATE SET"
    " variable_key = excluded.variable_key, value = excluded.value,"
    " updated_at = excluded.updated_at"
)
_INSERT_JOB = (
    "INSERT INTO jobs (job_key, process_instance_key, element_instance_key, element_id,"
    " job_type, worker, retries, state, error_message, deadline, created_at, updated_at,"
    " tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_key) DO NOTHING"
)
_UPDATE_JOB = (
    "UPDATE jobs SET state = ?, worker = ?, retries = ?, error_message = ?, deadline = ?,"
    " updated_at = ? WHERE job_key = ?"
)
_INSERT_AUDIT = (
    "INSERT INTO audit_records (partition_id, position, process_instance_key,"
    " record_timestamp, record_type, value_type, intent, record_key, element_id,"
    " rejection_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (partition_id, position) DO NOTHING"
)
_UPSERT_POSITION = (
    "INSERT INTO exporter_positions (partition_id, position, next_offset, end_offset,"
    " record_timestamp, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (partition_id)"
    " DO UPDATE SET position = excluded.position, next_offset = excluded.next_offset,"
    " end_offset = excluded.end_offset, record_timestamp = excluded.record_timestamp,"
    " updated_at = excluded.updated_at"
)

# Column indexes into the rows built below, for merging a later event into a pending insert.
_PI_STATE, _PI_END, _PI_DURATION = 4, 6, 7
_EI_STATE, _EI_END = 5, 7
_INC_STATE, _INC_RESOLVED = 9, 11
_JOB_WORKER, _JOB_RETRIES, _JOB_STATE, _JOB_ERROR, _JOB_DEADLINE, _JOB_UPDATED = 5, 6, 7, 8, 9, 11


class ProjectionBatch:
    """Collects records, skipping those at or below the partition's applied position, then
    `write`s them. `positions` is the caller's map partition → last applied position; it is
    updated by `write` (call it inside the transaction, and keep it only if that commits)."""

    def __init__(self, positions: dict[int, int]) -> None:
        self.positions = dict(positions)
        self.applied: Counter[int] = Counter()
        """Records applied per partition (not counting skipped duplicates)."""
        self.job_events: Counter[str] = Counter()
        """JOB events applied: created, completed, failed, timed_out."""
        self._offsets: dict[int, tuple[int, int, int]] = {}
        self._definitions: list[tuple[Any, ...]] = []
        self._instances: dict[int, list[Any]] = {}
        self._instance_ends: list[tuple[Any, ...]] = []
        self._elements: dict[int, list[Any]] = {}
        self._element_ends: list[tuple[Any, ...]] = []
        self._incidents: dict[int, list[Any]] = {}
        self._incident_ends: list[tuple[Any, ...]] = []
        self._variables: dict[tuple[int, str], tuple[Any, ...]] = {}
        self._jobs: dict[int, list[Any]] = {}
        self._job_updates: list[tuple[Any, ...]] = []
        self._audit: list[tuple[Any, ...]] = []
        self._user_tasks = UserTaskProjection()
        self._decisions = DecisionProjection()
        self._migrations = MigrationProjection(
            self._instances, self._elements, self._jobs, self._incidents
        )

    def __len__(self) -> int:
        return sum(self.applied.values())

    def add(self, record: Record[Any], next_offset: int, end_offset: int) -> bool:
        """Fold one record in; False (and nothing changes) if it was applied before.
        `next_offset` is the Kafka offset to resume at after it, `end_offset` the log's end."""
        partition = record.partition_id
        if record.position <= self.positions.get(partition, 0):
            return False
        self.positions[partition] = record.position
        self._offsets[partition] = (next_offset, end_offset, record.timestamp)
        self.applied[partition] += 1
        if record.record_type is RecordType.COMMAND:
            return True  # commands change nothing; their outcome follows as events
        self._audit_row(record)
        if record.record_type is RecordType.EVENT:
            self._project(record)
        return True

    def _audit_row(self, record: Record[Any]) -> None:
        value = record.value
        instance = getattr(value, "process_instance_key", -1)
        if instance <= 0:
            return
        element = getattr(value, "element_id", None) or getattr(value, "target_element_id", "")
        self._audit.append(
            (
                record.partition_id,
                record.position,
                instance,
                record.timestamp,
                record.record_type.value,
                record.value_type.value,
                record.intent.value,
                record.key,
                element,
                record.rejection_reason,
            )
        )

    def _project(self, record: Record[Any]) -> None:
        value_type = record.value_type
        if value_type is ValueType.PROCESS_INSTANCE:
            self._element(record, record.value)
        elif value_type is ValueType.JOB:
            self._job(record, record.value)
        elif value_type is ValueType.JOB_BATCH and record.intent is JobBatchIntent.ACTIVATED:
            self._job_batch(record, record.value)
        elif value_type is ValueType.VARIABLE:
            self._variable(record, record.value)
        elif value_type is ValueType.INCIDENT:
            self._incident(record, record.value)
        elif value_type is ValueType.PROCESS and record.intent is ProcessIntent.CREATED:
            self._definition(record, record.value)
        elif value_type is ValueType.USER_TASK:
            self._user_tasks.user_task(record)
        elif value_type is ValueType.FORM:
            self._user_tasks.form(record)
        elif value_type is ValueType.DECISION_EVALUATION:
            self._decisions.evaluation(record)
        elif value_type is ValueType.DECISION:
            self._decisions.decision(record)
        elif value_type is ValueType.DECISION_REQUIREMENTS:
            self._decisions.requirements(record)

    def _definition(self, record: Record[Any], v: ProcessRecordValue) -> None:
        xml = v.resource.decode("utf-8", errors="replace")
        self._definitions.append(
            (
                record.key,
                v.bpmn_process_id,
                v.version,
                v.version_tag,
                v.resource_name,
                v.deployment_key,
                xml,
                record.timestamp,
                v.tenant_id,
            )
        )

    def _element(self, record: Record[Any], v: ProcessInstanceRecordValue) -> None:
        intent, key, ts = record.intent, record.key, record.timestamp
        if intent is ProcessInstanceIntent.ELEMENT_MIGRATED:
            self._migrations.element(record)
            return
        is_process = v.bpmn_element_type is BpmnElementType.PROCESS
        if intent is ProcessInstanceIntent.ELEMENT_ACTIVATING:
            self._elements[key] = [
                key,
                v.process_instance_key,
                v.flow_scope_key,
                v.element_id,
                v.bpmn_element_type.value,
                "ACTIVE",
                ts,
                None,
                record.position,
            ]
            if is_process:
                self._instances[key] = [
                    key,
                    v.process_definition_key,
                    v.bpmn_process_id,
                    v.version,
                    "ACTIVE",
                    ts,
                    None,
                    None,
                    record.partition_id,
                    v.parent_process_instance_key,
                    v.tenant_id,
                ]
        elif intent is ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN:
            self._elements[key] = [
                key,
                v.process_instance_key,
                v.flow_scope_key,
                v.element_id,
                v.bpmn_element_type.value,
                "TAKEN",
                ts,
                ts,
                record.position,
            ]
        elif intent in (
            ProcessInstanceIntent.ELEMENT_COMPLETED,
            ProcessInstanceIntent.ELEMENT_TERMINATED,
        ):
            completed = intent is ProcessInstanceIntent.ELEMENT_COMPLETED
            state = "COMPLETED" if completed else "TERMINATED"
            row = self._elements.get(key)
            if row is not None:
                row[_EI_STATE], row[_EI_END] = state, ts
            else:
                self._element_ends.append((state, ts, key))
            if is_process:
                self._end_instance(key, "COMPLETED" if completed else "CANCELED", ts)

    def _end_instance(self, key: int, state: str, ts: int) -> None:
        row = self._instances.get(key)
        if row is not None:
            row[_PI_STATE], row[_PI_END], row[_PI_DURATION] = state, ts, ts - row[5]
        else:
            self._instance_ends.append((state, ts, ts, key))

    def _job(self, record: Record[Any], v: JobRecordValue) -> None:
        intent = record.intent
        counted = JOB_EVENTS.get(intent)
        if counted is not None:
            self.job_events[counted] += 1
        if intent is JobIntent.MIGRATED:
            self._migrations.job(record)
            return
        if intent is JobIntent.CREATED:
            self._jobs[record.key] = [
                record.key,
                v.process_instance_key,
                v.element_instance_key,
                v.element_id,
                v.type,
                v.worker,
                v.retries,
                "CREATED",
                v.error_message,
                v.deadline,
                record.timestamp,
                record.timestamp,
                v.tenant_id,
            ]
        else:
            self._update_job(record.key, intent.value, v, record.timestamp)

    def _job_batch(self, record: Record[Any], v: JobBatchRecordValue) -> None:
        for key, job in zip(v.job_keys, v.jobs, strict=False):
            self._update_job(key, "ACTIVATED", job, record.timestamp)

    def _update_job(self, key: int, state: str, v: JobRecordValue, ts: int) -> None:
        row = self._jobs.get(key)
        if row is not None:
            row[_JOB_STATE], row[_JOB_WORKER], row[_JOB_RETRIES] = state, v.worker, v.retries
            row[_JOB_ERROR], row[_JOB_DEADLINE], row[_JOB_UPDATED] = (
                v.error_message,
                v.deadline,
                ts,
            )
        else:
            self._job_updates.append(
                (state, v.worker, v.retries, v.error_message, v.deadline, ts, key)
            )

    def _variable(self, record: Record[Any], v: VariableRecordValue) -> None:
        if record.intent not in (VariableIntent.CREATED, VariableIntent.UPDATED):
            return
        self._variables[(v.scope_key, v.name)] = (
            v.scope_key,
            v.name,
            v.process_instance_key,
            record.key,
            v.value,
            record.timestamp,
        )

    def _incident(self, record: Record[Any], v: IncidentRecordValue) -> None:
        if record.intent is IncidentIntent.CREATED:
            self._incidents[record.key] = [
                record.key,
                v.process_instance_key,
                v.process_definition_key,
                v.bpmn_process_id,
                v.element_id,
                v.element_instance_key,
                v.job_key,
                v.error_type.value,
                v.error_message,
                "OPEN",
                record.timestamp,
                None,
                v.tenant_id,
            ]
        elif record.intent is IncidentIntent.MIGRATED:
            self._migrations.incident(record)
        elif record.intent is IncidentIntent.RESOLVED:
            row = self._incidents.get(record.key)
            if row is not None:
                row[_INC_STATE], row[_INC_RESOLVED] = "RESOLVED", record.timestamp
            else:
                self._incident_ends.append(("RESOLVED", record.timestamp, record.key))

    def write(self, tx: Transaction, now_ms: int) -> None:
        """Write everything folded in, inserts before the updates of older rows, and the new
        positions — all in `tx`, so a crash leaves either all of it or none."""
        tx.execute_many(_INSERT_DEFINITION, self._definitions)
        tx.execute_many(_INSERT_INSTANCE, list(self._instances.values()))
        tx.execute_many(_END_INSTANCE, self._instance_ends)
        tx.execute_many(_INSERT_ELEMENT, list(self._elements.values()))
        tx.execute_many(_END_ELEMENT, self._element_ends)
        tx.execute_many(_INSERT_INCIDENT, list(self._incidents.values()))
        tx.execute_many(_RESOLVE_INCIDENT, self._incident_ends)
        tx.execute_many(_UPSERT_VARIABLE, list(self._variables.values()))
        tx.execute_many(_INSERT_JOB, list(self._jobs.values()))
        tx.execute_many(_UPDATE_JOB, self._job_updates)
        tx.execute_many(_INSERT_AUDIT, self._audit)
        self._migrations.write(tx)
        self._user_tasks.write(tx)
        self._decisions.write(tx)
        tx.execute_many(
            _UPSERT_POSITION,
            [
                (partition, self.positions[partition], offset, end, timestamp, now_ms)
                for partition, (offset, end, timestamp) in sorted(self._offsets.items())
            ],
        )


def load_positions(tx: Transaction) -> dict[int, int]:
    """Partition → position of the last record applied to the store."""
    return {p: pos for p, pos in tx.query("SELECT partition_id, position FROM exporter_positions")}


def load_offsets(tx: Transaction) -> dict[int, int]:
    """Partition → the Kafka offset to resume reading at."""
    rows = tx.query("SELECT partition_id, next_offset FROM exporter_positions")
    return {p: offset for p, offset in rows}


def write_log_ends(tx: Transaction, ends: dict[int, tuple[int, int]], now_ms: int) -> None:
    """Record, per partition, the resume offset and the log's end offset seen now (lag is
    their difference), also for partitions that nothing was applied from yet."""
    tx.execute_many(
        "INSERT INTO exporter_positions (partition_id, position, next_offset, end_offset,"
        " record_timestamp, updated_at) VALUES (?, 0, ?, ?, -1, ?) ON CONFLICT (partition_id)"
        " DO UPDATE SET next_offset = excluded.next_offset, end_offset = excluded.end_offset,"
        " updated_at = excluded.updated_at",
        [(p, nxt, end, now_ms) for p, (nxt, end) in sorted(ends.items())],
    )
