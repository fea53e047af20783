"""What the read-only queries return: frozen dataclasses, one per thing an operator looks
at. Times are epoch milliseconds of the engine's clock; keys are the records' keys;
`to_json` gives the camelCase form the CLI prints and a web page can serve as it is."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class _View:
    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if isinstance(value, _View):
                value = value.to_json()
            elif isinstance(value, tuple):
                value = [v.to_json() if isinstance(v, _View) else v for v in value]
            result[_camel(field.name)] = value
        return result


@dataclass(frozen=True, slots=True)
class ProcessStats(_View):
    """One process version: instances per state, open incidents, and the durations of its
    completed instances (in the window asked for; None when there are none)."""

    bpmn_process_id: str
    version: int
    process_definition_key: int
    active: int
    completed: int
    canceled: int
    incidents: int
    duration_mean_ms: float | None
    duration_p50_ms: int | None
    duration_p95_ms: int | None


@dataclass(frozen=True, slots=True)
class PartitionLag(_View):
    """How far the store is behind one partition of the audit log, as of `updated_at`
    (wall-clock ms when the exporter last looked; an old value means it is not running)."""

    partition_id: int
    position: int
    next_offset: int
    end_offset: int
    lag: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ProcessDefinition(_View):
    process_definition_key: int
    bpmn_process_id: str
    version: int
    version_tag: str
    resource_name: str
    deployed_at: int
    bpmn_xml: str | None
    """The BPMN XML; None in lists (ask `definition(key)` for it)."""


@dataclass(frozen=True, slots=True)
class InstanceSummary(_View):
    process_instance_key: int
    bpmn_process_id: str
    version: int
    process_definition_key: int
    state: str
    """ACTIVE, COMPLETED or CANCELED."""
    start_time: int
    end_time: int | None
    duration_ms: int | None
    open_incidents: int


@dataclass(frozen=True, slots=True)
class ElementInstance(_View):
    element_instance_key: int
    element_id: str
    bpmn_element_type: str
    state: str
    """ACTIVE, COMPLETED, TERMINATED, or TAKEN for a sequence flow."""
    flow_scope_key: int
    start_time: int
    end_time: int | None


@dataclass(frozen=True, slots=True)
class Incident(_View):
    incident_key: int
    process_instance_key: int
    bpmn_process_id: str
    element_id: str
    element_instance_key: int
    job_key: int
    """The job whose retries ran out (JOB_NO_RETRIES), else -1."""
    error_type: str
    error_message: str
    state: str
    """OPEN or RESOLVED."""
    created_at: int
    resolved_at: int | None


@dataclass(frozen=True, slots=True)
class Variable(_View):
    scope_key: int
    name: str
    value: str
    """The value as a JSON document, as the VARIABLE record holds it."""
    updated_at: int


@dataclass(frozen=True, slots=True)
class Job(_View):
    job_key: int
    element_id: str
    element_instance_key: int
    job_type: str
    worker: str
    retries: int
    state: str
    """The last job event: CREATED, ACTIVATED, COMPLETED, FAILED, TIMED_OUT, ..."""
    error_message: str
    updated_at: int


@dataclass(frozen=True, slots=True)
class AuditEntry(_View):
    """One event or rejection of the instance; (partition_id, position) locates the full
    record in the audit log."""

    partition_id: int
    position: int
    timestamp: int
    record_type: str
    value_type: str
    intent: str
    key: int
    element_id: str
    rejection_reason: str


@dataclass(frozen=True, slots=True)
class InstanceDetail(_View):
    """Everything about one instance: the path it took (element instances in the order they
    started), where it waits now (active elements with no active element inside), its
    variables, jobs, incidents and audit records."""

    instance: InstanceSummary
    path: tuple[ElementInstance, ...]
    waiting_at: tuple[ElementInstance, ...]
    variables: tuple[Variable, ...]
    jobs: tuple[Job, ...]
    incidents: tuple[Incident, ...]
    audit: tuple[AuditEntry, ...]


@dataclass(frozen=True, slots=True)
class ElementStats(_View):
    """Per BPMN element of one process version, for drawing counts on the diagram."""

    element_id: str
    active: int
    completed: int
    terminated: int
    incidents: int
