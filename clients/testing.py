"""Assertions for testing your own processes, in the manner of zeebe-process-test.

They read the audit log (`client.records()`), so they work the same on `memory://` and on
Kafka. Each assertion returns the asserter, so they chain; a failed one raises
`AssertionError` with what the instance actually did:

    client = connect("memory://")
    client.deploy("order.bpmn")
    key = client.create_instance("order", {"orderId": 4711})
    assert_instance(client, key).is_waiting_at("charge")
    job = client.activate_jobs("payment", max_jobs=1, timeout=30)[0]
    client.complete_job(job.key, {"paid": True})
    assert_instance(client, key).has_passed("charge").is_completed().has_variable("paid", True)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

_ENDED = {"ELEMENT_COMPLETED", "ELEMENT_TERMINATED"}


class RecordSource(Protocol):
    def records(self) -> list[dict[str, Any]]: ...


@dataclass
class _ElementInstance:
    element_id: str
    element_type: str
    state: str  # the intent of its last lifecycle event


@dataclass
class InstanceView:
    """What the audit log says about one process instance (and nothing else)."""

    key: int
    bpmn_process_id: str = ""
    state: str = ""  # the intent of the process's last lifecycle event, "" if unknown
    elements: dict[int, _ElementInstance] = field(default_factory=dict)
    completed: list[str] = field(default_factory=list)  # element ids, in completion order
    variables: dict[str, Any] = field(default_factory=dict)
    open_incidents: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def waiting_at(self) -> list[str]:
        return sorted(
            e.element_id
            for e in self.elements.values()
            if e.state not in _ENDED and e.element_type not in ("PROCESS", "SEQUENCE_FLOW")
        )


def instance_view(records: Sequence[Mapping[str, Any]], key: int) -> InstanceView:
    """Fold the records of process instance `key` into what a test asserts on."""
    view = InstanceView(key)
    for record in records:
        if record.get("recordType") != "EVENT":
            continue
        value = record.get("value", {})
        if value.get("processInstanceKey") != key:
            continue
        value_type, intent = record.get("valueType"), record.get("intent", "")
        if value_type == "PROCESS_INSTANCE" and intent == "ELEMENT_MIGRATED":
            # Another process definition or element id, the same lifecycle state.
            migrated = view.elements.get(record["key"])
            if record.get("key") == key:
                view.bpmn_process_id = value.get("bpmnProcessId", "")
            elif migrated is not None:
                view.elements[record["key"]] = _ElementInstance(
                    value.get("elementId", ""), migrated.element_type, migrated.state
                )
            continue
        if value_type == "PROCESS_INSTANCE" and intent.startswith("ELEMENT_"):
            element_type = value.get("bpmnElementType", "")
            if element_type == "PROCESS" and record.get("key") == key:
                view.state = intent
                view.bpmn_process_id = value.get("bpmnProcessId", "")
                continue
            view.elements[record["key"]] = _ElementInstance(
                value.get("elementId", ""), element_type, intent
            )
            if intent == "ELEMENT_COMPLETED":
                view.completed.append(value.get("elementId", ""))
        elif value_type == "VARIABLE" and value.get("scopeKey") == key:
            view.variables[value.get("name", "")] = json.loads(value.get("value", "null"))
        elif value_type == "INCIDENT":
            if intent == "CREATED" or (
                intent == "MIGRATED" and record["key"] in view.open_incidents
            ):
                view.open_incidents[record["key"]] = dict(value)
            elif intent == "RESOLVED":
                view.open_incidents.pop(record["key"], None)
    return view


class InstanceAssert:
    def __init__(self, source: RecordSource, key: int) -> None:
        self._source = source
        self.key = key

    @property
    def view(self) -> InstanceView:
        """Read afresh on every assertion: the instance may have moved on since."""
        view = instance_view(self._source.records(), self.key)
        if not view.state:
            raise AssertionError(f"no process instance with key {self.key} in the records")
        return view

    def _fail(self, expected: str, view: InstanceView) -> AssertionError:
        incidents = [
            f"{i.get('errorType')} at {i.get('elementId')}: {i.get('errorMessage')}"
            for i in view.open_incidents.values()
        ]
        return AssertionError(
            f"expected process instance {self.key} ({view.bpmn_process_id}) {expected}, but it is "
            f"{view.state.removeprefix('ELEMENT_').lower()}; waiting at {view.waiting_at}; "
            f"passed {view.completed}; open incidents {incidents or 'none'}"
        )

    def _state(self, intent: str, word: str) -> InstanceAssert:
        view = self.view
        if view.state != intent:
            raise self._fail(f"to be {word}", view)
        return self

    def is_completed(self) -> InstanceAssert:
        return self._state("ELEMENT_COMPLETED", "completed")

    def is_terminated(self) -> InstanceAssert:
        return self._state("ELEMENT_TERMINATED", "terminated")

    def is_active(self) -> InstanceAssert:
        return self._state("ELEMENT_ACTIVATED", "active")

    def has_passed(self, *element_ids: str) -> InstanceAssert:
        """Each element completed at least once."""
        view = self.view
        missing = [e for e in element_ids if e not in view.completed]
        if missing:
            raise self._fail(f"to have passed {missing}", view)
        return self

    def has_passed_in_order(self, *element_ids: str) -> InstanceAssert:
        view = self.view
        order = [e for e in view.completed if e in element_ids]
        if order != list(element_ids):
            raise self._fail(f"to have passed {list(element_ids)} in this order", view)
        return self

    def has_not_passed(self, *element_ids: str) -> InstanceAssert:
        view = self.view
        passed = [e for e in element_ids if e in view.completed]
        if passed:
            raise self._fail(f"not to have passed {passed}", view)
        return self

    def is_waiting_at(self, *element_ids: str) -> InstanceAssert:
        """Exactly these elements are active (waiting) now."""
        view = self.view
        if view.waiting_at != sorted(element_ids):
            raise self._fail(f"to wait at {sorted(element_ids)}", view)
        return self

    def has_variable(self, name: str, value: Any = ...) -> InstanceAssert:
        """A process-level variable exists (with `value`, if given)."""
        view = self.view
        if name not in view.variables:
            raise self._fail(f"to have variable {name!r} (it has {sorted(view.variables)})", view)
        if value is not ... and view.variables[name] != value:
            raise self._fail(f"to have {name} = {value!r}, not {view.variables[name]!r}", view)
        return self

    def has_incident(
        self, error_type: str | None = None, *, element_id: str | None = None
    ) -> InstanceAssert:
        view = self.view
        matching = [
            i
            for i in view.open_incidents.values()
            if (error_type is None or i.get("errorType") == error_type)
            and (element_id is None or i.get("elementId") == element_id)
        ]
        if not matching:
            what = " ".join(x for x in (error_type or "an", "incident") if x)
            where = f" at {element_id}" if element_id else ""
            raise self._fail(f"to have {what}{where}", view)
        return self

    def has_no_incidents(self) -> InstanceAssert:
        view = self.view
        if view.open_incidents:
            raise self._fail("to have no open incident", view)
        return self

    def incident_keys(self) -> list[int]:
        return sorted(self.view.open_incidents)


def assert_instance(source: RecordSource, key: int) -> InstanceAssert:
    """Assertions on process instance `key`, from `source.records()` (a client)."""
    return InstanceAssert(source, key)
