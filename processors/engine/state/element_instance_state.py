"""Element instances of running process instances: one compact entry per active instance
(short field names keep an instance waiting at one job well under 2 KB) and an index of
children per flow scope, so containers can find and count what runs inside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from broker.protocol.values import BpmnElementType, BpmnEventType, ProcessInstanceRecordValue
from processors.engine.kv_store import KeyValueStore, last_int, pack

_INSTANCES = "element_instances"
_CHILDREN = "element_children"


@dataclass(frozen=True, slots=True)
class ElementInstance:
    key: int
    value: ProcessInstanceRecordValue
    state: str
    """The last lifecycle intent, e.g. ELEMENT_ACTIVATED."""
    active_children: int = 0
    active_flows: int = 0
    """Sequence flows taken inside this scope whose target is not activated yet."""
    job_key: int = -1
    called_instance_key: int = -1
    taken_flows: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per joining gateway id: how often each incoming flow was taken and not yet consumed."""
    trigger: dict[str, Any] | None = None
    """The event that completes or interrupts this element (variables, element to activate)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Element-family data (multi-instance loop counters, output collections, ...)."""

    @property
    def element_id(self) -> str:
        return self.value.element_id

    @property
    def element_type(self) -> BpmnElementType:
        return self.value.bpmn_element_type

    @property
    def flow_scope_key(self) -> int:
        return self.value.flow_scope_key

    @property
    def is_active(self) -> bool:
        return self.state in ("ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED")


def _encode(instance: ElementInstance) -> dict[str, Any]:
    v = instance.value
    raw: dict[str, Any] = {
        "e": v.element_id,
        "t": v.bpmn_element_type.value,
        "s": instance.state,
        "f": v.flow_scope_key,
        "p": v.process_instance_key,
        "d": v.process_definition_key,
        "b": v.bpmn_process_id,
        "v": v.version,
    }
    if v.bpmn_event_type is not BpmnEventType.UNSPECIFIED:
        raw["et"] = v.bpmn_event_type.value
    if v.parent_process_instance_key != -1:
        raw["pp"] = v.parent_process_instance_key
        raw["pe"] = v.parent_element_instance_key
    if instance.active_children:
        raw["ac"] = instance.active_children
    if instance.active_flows:
        raw["af"] = instance.active_flows
    if instance.job_key != -1:
        raw["j"] = instance.job_key
    if instance.called_instance_key != -1:
        raw["ci"] = instance.called_instance_key
    if instance.taken_flows:
        raw["tf"] = instance.taken_flows
    if instance.trigger is not None:
        raw["tr"] = instance.trigger
    if instance.extra:
        raw["x"] = instance.extra
    return raw


def _decode(key: int, raw: dict[str, Any]) -> ElementInstance:
    value = ProcessInstanceRecordValue(
        bpmn_process_id=raw["b"],
        version=raw["v"],
        process_definition_key=raw["d"],
        process_instance_key=raw["p"],
        element_id=raw["e"],
        flow_scope_key=raw["f"],
        bpmn_element_type=BpmnElementType(raw["t"]),
        bpmn_event_type=BpmnEventType(raw.get("et", "UNSPECIFIED")),
        parent_process_instance_key=raw.get("pp", -1),
        parent_element_instance_key=raw.get("pe", -1),
    )
    return ElementInstance(
        key=key,
        value=value,
        state=raw["s"],
        active_children=raw.get("ac", 0),
        active_flows=raw.get("af", 0),
        job_key=raw.get("j", -1),
        called_instance_key=raw.get("ci", -1),
        taken_flows=raw.get("tf", {}),
        trigger=raw.get("tr"),
        extra=raw.get("x", {}),
    )


class ElementInstanceReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def get(self, key: int) -> ElementInstance | None:
        raw = self._store.get(_INSTANCES, pack(key))
        return None if raw is None else _decode(key, raw)

    def children(self, flow_scope_key: int) -> list[ElementInstance]:
        result = []
        for index_key, _ in self._store.iterate(_CHILDREN, pack(flow_scope_key)):
            child = self.get(last_int(index_key))
            if child is not None:
                result.append(child)
        return result


class ElementInstanceState(ElementInstanceReader):
    def put(self, instance: ElementInstance) -> None:
        self._store.put(_INSTANCES, pack(instance.key), _encode(instance))

    def create(self, instance: ElementInstance) -> None:
        self.put(instance)
        scope_key = instance.flow_scope_key
        if scope_key != -1:
            self._store.put(_CHILDREN, pack(scope_key, instance.key), 1)

    def remove(self, key: int) -> None:
        instance = self.get(key)
        if instance is None:
            return
        self._store.delete(_INSTANCES, pack(key))
        if instance.flow_scope_key != -1:
            self._store.delete(_CHILDREN, pack(instance.flow_scope_key, key))
