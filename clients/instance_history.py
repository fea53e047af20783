"""An instance's history, record by record: what the instance was after each of its own events
and rejections in the audit log — the elements with a token, the path completed, the
variables of every scope and the open incidents. Pure (records in, steps out): the web
console's time-travel slider and `honeyflow replay` both show what this computes.

The audit log is the history, so the state after a record is exact, not estimated; a
rejection changes nothing and is a step of its own, because it is part of what happened.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_ENDED = ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")
_NOT_A_TOKEN = ("PROCESS", "SEQUENCE_FLOW")


@dataclass(frozen=True)
class ElementState:
    """One element instance that has not ended: where a token is."""

    key: int
    element_id: str
    element_type: str
    state: str  # the intent of its last lifecycle event: ELEMENT_ACTIVATING, ELEMENT_ACTIVATED, …
    flow_scope_key: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "elementId": self.element_id,
            "elementType": self.element_type,
            "state": self.state,
            "flowScopeKey": str(self.flow_scope_key),
        }


@dataclass(frozen=True)
class IncidentState:
    key: int
    element_id: str
    element_instance_key: int
    error_type: str
    error_message: str
    job_key: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "elementId": self.element_id,
            "elementInstanceKey": str(self.element_instance_key),
            "errorType": self.error_type,
            "errorMessage": self.error_message,
            "jobKey": str(self.job_key),
        }


@dataclass(frozen=True)
class VariableState:
    scope_key: int
    name: str
    value: Any  # decoded JSON

    def to_json(self) -> dict[str, Any]:
        return {"scopeKey": str(self.scope_key), "name": self.name, "value": self.value}


@dataclass(frozen=True)
class InstanceState:
    """The instance as it was after one record."""

    state: str  # the process's last lifecycle intent ("" before its first)
    bpmn_process_id: str
    version: int
    process_definition_key: int
    active: tuple[ElementState, ...]
    completed: tuple[str, ...]  # element ids, in the order they completed (repeats kept)
    terminated: tuple[str, ...]
    taken: tuple[str, ...]  # sequence flows taken, first time each
    variables: tuple[VariableState, ...]  # by scope, then name
    incidents: tuple[IncidentState, ...]  # open ones, oldest first

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "bpmnProcessId": self.bpmn_process_id,
            "version": self.version,
            "processDefinitionKey": str(self.process_definition_key),
            "active": [e.to_json() for e in self.active],
            "completed": list(self.completed),
            "terminated": list(self.terminated),
            "taken": list(self.taken),
            "variables": [v.to_json() for v in self.variables],
            "incidents": [i.to_json() for i in self.incidents],
        }


@dataclass(frozen=True)
class HistoryStep:
    """One record of the instance and the instance after it."""

    index: int
    partition_id: int
    position: int
    timestamp: int
    record_type: str
    value_type: str
    intent: str
    key: int
    element_id: str
    rejection_reason: str
    detail: str  # what the record says beyond its type, in a few words
    after: InstanceState

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "partitionId": self.partition_id,
            "position": self.position,
            "timestamp": self.timestamp,
            "recordType": self.record_type,
            "valueType": self.value_type,
            "intent": self.intent,
            # Keys exceed 2**53 beyond partition 3: strings, for JavaScript.
            "key": str(self.key),
            "elementId": self.element_id,
            "rejectionReason": self.rejection_reason,
            "detail": self.detail,
            "after": self.after.to_json(),
        }


@dataclass
class _Fold:
    key: int
    state: str = ""
    bpmn_process_id: str = ""
    version: int = 0
    process_definition_key: int = 0
    active: dict[int, ElementState] = field(default_factory=dict)
    completed: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    taken: dict[str, None] = field(default_factory=dict)  # ordered set
    variables: dict[tuple[int, str], Any] = field(default_factory=dict)
    incidents: dict[int, IncidentState] = field(default_factory=dict)

    def apply(self, record: Mapping[str, Any]) -> str:
        """Changes the fold by one event; returns the record's detail line."""
        value: Mapping[str, Any] = record.get("value") or {}
        value_type, intent = record.get("valueType", ""), record.get("intent", "")
        if value_type == "PROCESS_INSTANCE":
            return self._element(record, value, intent)
        if value_type == "VARIABLE":
            scope, name = int(value.get("scopeKey", 0)), str(value.get("name", ""))
            decoded = _decode(value.get("value", "null"))
            self.variables[(scope, name)] = decoded
            return f"{name} = {_short(value.get('value', 'null'))} (scope {scope})"
        if value_type == "INCIDENT":
            return self._incident(record, value, intent)
        if value_type == "JOB":
            worker = value.get("worker") or ""
            message = value.get("errorMessage") or ""
            return " ".join(
                x
                for x in (
                    f"type {value.get('type', '')}",
                    f"retries {value.get('retries', '')}",
                    f"worker {worker}" if worker else "",
                    f"({message})" if message else "",
                )
                if x
            )
        return ""

    def _element(self, record: Mapping[str, Any], value: Mapping[str, Any], intent: str) -> str:
        element_key = int(record.get("key", 0))
        element_id = str(value.get("elementId", ""))
        element_type = str(value.get("bpmnElementType", ""))
        if element_key == self.key and (element_type == "PROCESS" or intent == "ELEMENT_MIGRATED"):
            self.bpmn_process_id = str(value.get("bpmnProcessId", self.bpmn_process_id))
            self.version = int(value.get("version", self.version) or 0)
            self.process_definition_key = int(
                value.get("processDefinitionKey", self.process_definition_key) or 0
            )
            if intent != "ELEMENT_MIGRATED":
                self.state = intent
            return element_type.lower()
        if intent == "ELEMENT_MIGRATED":
            found = self.active.get(element_key)
            if found is not None:
                self.active[element_key] = ElementState(
                    element_key, element_id, found.element_type, found.state, found.flow_scope_key
                )
            return f"now {element_id} of version {value.get('version', '')}"
        if intent == "SEQUENCE_FLOW_TAKEN" or element_type == "SEQUENCE_FLOW":
            self.taken[element_id] = None
            return "sequence flow"
        if element_type in _NOT_A_TOKEN:
            return element_type.lower()
        if intent in _ENDED:
            self.active.pop(element_key, None)
            (self.completed if intent == "ELEMENT_COMPLETED" else self.terminated).append(
                element_id
            )
        elif intent.startswith("ELEMENT_"):
            self.active[element_key] = ElementState(
                element_key,
                element_id,
                element_type,
                intent,
                int(value.get("flowScopeKey", -1)),
            )
        return element_type.lower()

    def _incident(self, record: Mapping[str, Any], value: Mapping[str, Any], intent: str) -> str:
        incident_key = int(record.get("key", 0))
        if intent == "RESOLVED":
            self.incidents.pop(incident_key, None)
        elif intent == "CREATED" or (intent == "MIGRATED" and incident_key in self.incidents):
            self.incidents[incident_key] = IncidentState(
                incident_key,
                str(value.get("elementId", "")),
                int(value.get("elementInstanceKey", 0)),
                str(value.get("errorType", "")),
                str(value.get("errorMessage", "")),
                int(value.get("jobKey", -1)),
            )
        return f"{value.get('errorType', '')}: {value.get('errorMessage', '')}"

    def snapshot(self) -> InstanceState:
        return InstanceState(
            state=self.state,
            bpmn_process_id=self.bpmn_process_id,
            version=self.version,
            process_definition_key=self.process_definition_key,
            active=tuple(self.active.values()),
            completed=tuple(self.completed),
            terminated=tuple(self.terminated),
            taken=tuple(self.taken),
            variables=tuple(
                VariableState(scope, name, v)
                for (scope, name), v in sorted(
                    self.variables.items(), key=lambda item: (item[0][0] != self.key, item[0])
                )
            ),
            incidents=tuple(self.incidents.values()),
        )


def instance_history(records: Iterable[Mapping[str, Any]], key: int) -> list[HistoryStep]:
    """The steps of process instance `key`: each event and rejection whose value names it as
    its process instance (or whose key is the instance's), in the order given (the audit
    log's), with the instance after it. Commands are left out: their outcome is the events
    and rejections that follow."""
    fold = _Fold(key)
    steps: list[HistoryStep] = []
    for record in records:
        record_type = record.get("recordType", "")
        if record_type == "COMMAND":
            continue
        value = record.get("value") or {}
        # A rejected CANCEL names the instance by its record key only.
        if value.get("processInstanceKey") != key and record.get("key") != key:
            continue
        detail = fold.apply(record) if record_type == "EVENT" else ""
        steps.append(
            HistoryStep(
                index=len(steps),
                partition_id=int(record.get("partitionId", 0)),
                position=int(record.get("position", 0)),
                timestamp=int(record.get("timestamp", 0)),
                record_type=str(record_type),
                value_type=str(record.get("valueType", "")),
                intent=str(record.get("intent", "")),
                key=int(record.get("key", -1)),
                element_id=str(value.get("elementId", "") or value.get("targetElementId", "")),
                rejection_reason=str(record.get("rejectionReason", "") or ""),
                detail=detail,
                after=fold.snapshot(),
            )
        )
    return steps


def _decode(text: object) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _short(text: object, limit: int = 60) -> str:
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"
