"""What a process instance migration changes in the query store: the instance's process
definition, key, id and version (so its page shows the target's diagram), the element id of
each migrated element instance, and the element and definition of its jobs and incidents
(ELEMENT_MIGRATED, JOB MIGRATED, INCIDENT MIGRATED). User tasks take their MIGRATED event
as any other update (user_task_projection). A row inserted in the same batch is changed in
memory; an older one by an UPDATE after the batch's inserts."""

from __future__ import annotations

from typing import Any

from broker.protocol import Record
from broker.protocol.values import (
    BpmnElementType,
    IncidentRecordValue,
    JobRecordValue,
    ProcessInstanceRecordValue,
)
from processors.exporter.store import Transaction

_MIGRATE_INSTANCE = (
    "UPDATE process_instances SET process_definition_key = ?, bpmn_process_id = ?, version = ?"
    " WHERE process_instance_key = ?"
)
_MIGRATE_ELEMENT = "UPDATE element_instances SET element_id = ? WHERE element_instance_key = ?"
_MIGRATE_JOB = "UPDATE jobs SET element_id = ? WHERE job_key = ?"
_MIGRATE_INCIDENT = (
    "UPDATE incidents SET process_definition_key = ?, bpmn_process_id = ?, element_id = ?"
    " WHERE incident_key = ?"
)

# Columns of the pending rows of projection.py.
_PI_DEFINITION, _PI_PROCESS_ID, _PI_VERSION = 1, 2, 3
_EI_ELEMENT = 3
_JOB_ELEMENT = 3
_INC_DEFINITION, _INC_PROCESS_ID, _INC_ELEMENT = 2, 3, 4


class MigrationProjection:
    def __init__(
        self,
        instances: dict[int, list[Any]],
        elements: dict[int, list[Any]],
        jobs: dict[int, list[Any]],
        incidents: dict[int, list[Any]],
    ) -> None:
        self._instances = instances
        self._elements = elements
        self._jobs = jobs
        self._incidents = incidents
        self._instance_updates: list[tuple[Any, ...]] = []
        self._element_updates: list[tuple[Any, ...]] = []
        self._job_updates: list[tuple[Any, ...]] = []
        self._incident_updates: list[tuple[Any, ...]] = []

    def element(self, record: Record[ProcessInstanceRecordValue]) -> None:
        v, key = record.value, record.key
        if v.bpmn_element_type is BpmnElementType.PROCESS and key == v.process_instance_key:
            row = self._instances.get(key)
            if row is not None:
                row[_PI_DEFINITION], row[_PI_PROCESS_ID], row[_PI_VERSION] = (
                    v.process_definition_key,
                    v.bpmn_process_id,
                    v.version,
                )
            else:
                self._instance_updates.append(
                    (v.process_definition_key, v.bpmn_process_id, v.version, key)
                )
        row = self._elements.get(key)
        if row is not None:
            row[_EI_ELEMENT] = v.element_id
        else:
            self._element_updates.append((v.element_id, key))

    def job(self, record: Record[JobRecordValue]) -> None:
        row = self._jobs.get(record.key)
        if row is not None:
            row[_JOB_ELEMENT] = record.value.element_id
        else:
            self._job_updates.append((record.value.element_id, record.key))

    def incident(self, record: Record[IncidentRecordValue]) -> None:
        v = record.value
        row = self._incidents.get(record.key)
        if row is not None:
            row[_INC_DEFINITION], row[_INC_PROCESS_ID], row[_INC_ELEMENT] = (
                v.process_definition_key,
                v.bpmn_process_id,
                v.element_id,
            )
        else:
            self._incident_updates.append(
                (v.process_definition_key, v.bpmn_process_id, v.element_id, record.key)
            )

    def write(self, tx: Transaction) -> None:
        tx.execute_many(_MIGRATE_INSTANCE, self._instance_updates)
        tx.execute_many(_MIGRATE_ELEMENT, self._element_updates)
        tx.execute_many(_MIGRATE_JOB, self._job_updates)
        tx.execute_many(_MIGRATE_INCIDENT, self._incident_updates)
