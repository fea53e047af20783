"""Element instances of running process instances: one compact entry per active instance
(short field names keep an instance waiting at one job well under 2 KB) and an index of
children per flow scope, so containers can find and count what runs inside them."""

from __future__ import annotations

import struct
from dataclasses import field
from typing import Any

from broker.protocol.intents import ProcessInstanceIntent
from broker.protocol.values import (
    DEFAULT_TENANT_ID,
    BpmnElementType,
    BpmnEventType,
    ProcessInstanceRecordValue,
)
from processors.engine.kv_store import KeyValueStore, last_int
from processors.engine.state.element_lifecycle import ACTIVE, BY_NAME
from processors.engine.state.state_class import state_class

_INSTANCES = "element_instances"
_CHILDREN = "element_children"


@state_class
class ElementInstance:
    key: int
    value: ProcessInstanceRecordValue
    state: ProcessInstanceIntent
    """The last lifecycle event applied, e.g. ELEMENT_ACTIVATED (`element_lifecycle`)."""
    active_children: int = 0
    active_flows: int = 0
    """Sequence flows taken inside this scope whose target is not activated yet."""
    job_key: int = -1
    called_instance_key: int = -1
    taken_flows: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per joining gateway id: how often each incoming flow was taken and not yet consumed."""
    completion_variables: dict[str, Any] | None = None
    """Variables handed to this element for its completion (a completed job's, a called
    process instance's), which its output behaviour maps; None: nothing handed."""
    interrupted_by: str | None = None
    """In an event scope: the catch element that interrupted it (its flow ends there)."""
    loop_counter: int = 0
    """In a multi-instance body: inner instances activated so far; in an inner instance: its
    1-based index (0: not an inner instance)."""
    completed_inner: int = 0
    """In a multi-instance body: inner instances completed."""
    terminated_inner: int = 0
    """In a multi-instance body: inner instances terminated."""
    listener_index: int = 0
    """How many execution listeners of the running event type (start while activating, end
    while completing) have completed (Zeebe's executionListenerIndex)."""

    def with_state(self, state: ProcessInstanceIntent) -> ElementInstance:
        """A copy in another lifecycle state (dataclasses.replace is several times slower, and
        appliers do this for every lifecycle event). Never change an instance in place."""
        return ElementInstance(
            self.key,
            self.value,
            state,
            self.active_children,
            self.active_flows,
            self.job_key,
            self.called_instance_key,
            self.taken_flows,
            self.completion_variables,
            self.interrupted_by,
            self.loop_counter,
            self.completed_inner,
            self.terminated_inner,
            self.listener_index,
        )

    def with_counts(
        self, active_children: int, active_flows: int, taken_flows: dict[str, dict[str, int]]
    ) -> ElementInstance:
        """A copy with other counts of children and flows (see `with_state`)."""
        return ElementInstance(
            self.key,
            self.value,
            self.state,
            active_children,
            active_flows,
            self.job_key,
            self.called_instance_key,
            taken_flows,
            self.completion_variables,
            self.interrupted_by,
            self.loop_counter,
            self.completed_inner,
            self.terminated_inner,
            self.listener_index,
        )

    def with_job(
        self, job_key: int, completion_variables: dict[str, Any] | None
    ) -> ElementInstance:
        """A copy with another job and completion variables (see `with_state`)."""
        return ElementInstance(
            self.key,
            self.value,
            self.state,
            self.active_children,
            self.active_flows,
            job_key,
            self.called_instance_key,
            self.taken_flows,
            completion_variables,
            self.interrupted_by,
            self.loop_counter,
            self.completed_inner,
            self.terminated_inner,
            self.listener_index,
        )

    def with_listener_index(self, listener_index: int) -> ElementInstance:
        """A copy with another count of completed execution listeners (see `with_state`)."""
        return ElementInstance(
            self.key,
            self.value,
            self.state,
            self.active_children,
            self.active_flows,
            self.job_key,
            self.called_instance_key,
            self.taken_flows,
            self.completion_variables,
            self.interrupted_by,
            self.loop_counter,
            self.completed_inner,
            self.terminated_inner,
            listener_index,
        )

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
        return self.state in ACTIVE


def _encode_value(v: ProcessInstanceRecordValue) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "e": v.element_id,
        "t": v.bpmn_element_type.value,
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
    if v.tenant_id != DEFAULT_TENANT_ID:
        raw["tn"] = v.tenant_id
    return raw


def _encode(instance: ElementInstance, value_part: dict[str, Any]) -> dict[str, Any]:
    raw = dict(value_part)
    raw["s"] = instance.state
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
    if instance.completion_variables is not None:
        raw["cv"] = instance.completion_variables
    if instance.interrupted_by is not None:
        raw["ib"] = instance.interrupted_by
    if instance.loop_counter:
        raw["lc"] = instance.loop_counter
    if instance.completed_inner:
        raw["nc"] = instance.completed_inner
    if instance.terminated_inner:
        raw["nt"] = instance.terminated_inner
    if instance.listener_index:
        raw["li"] = instance.listener_index
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
        tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
    )
    return ElementInstance(
        key=key,
        value=value,
        state=BY_NAME[raw["s"]],
        active_children=raw.get("ac", 0),
        active_flows=raw.get("af", 0),
        job_key=raw.get("j", -1),
        called_instance_key=raw.get("ci", -1),
        taken_flows=raw.get("tf", {}),
        completion_variables=raw.get("cv"),
        interrupted_by=raw.get("ib"),
        loop_counter=raw.get("lc", 0),
        completed_inner=raw.get("nc", 0),
        terminated_inner=raw.get("nt", 0),
        listener_index=raw.get("li", 0),
    )


_DECODED_LIMIT = 65_536
_OFFSET = 1 << 63
_pack_int = struct.Struct(">Q").pack
_pack_pair = struct.Struct(">QQ").pack
_MISSING: Any = object()


class ElementInstanceReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        # Decoded instances with the stored value each came from. Stored values are never
        # mutated (a change puts a new object), so while the store returns that very object
        # the decoded instance is current; anything else (a rollback, another store) decodes
        # again. Derived data, like the parsed models: not state.
        self._decoded: dict[int, tuple[Any, ElementInstance]] = {}
        # Changes made by the command batch being processed, not in the store yet (None:
        # removed), and the changes of the children index per flow scope (child key → True:
        # added, False: removed); see `ElementInstanceState.flush`.
        self._pending: dict[int, ElementInstance | None] = {}
        self._pending_children: dict[int, dict[int, bool]] = {}

    def get(self, key: int) -> ElementInstance | None:
        pending = self._pending.get(key, _MISSING)
        if pending is not _MISSING:
            return pending  # type: ignore[no-any-return]
        raw = self._store.get(_INSTANCES, _pack_int(key + _OFFSET))
        if raw is None:
            return None
        cached = self._decoded.get(key)
        if cached is not None and cached[0] is raw:
            return cached[1]
        instance = _decode(key, raw)
        self._remember(key, raw, instance)
        return instance

    def _remember(self, key: int, raw: Any, instance: ElementInstance) -> None:
        if len(self._decoded) >= _DECODED_LIMIT:
            self._decoded.clear()
        self._decoded[key] = (raw, instance)

    def children(self, flow_scope_key: int) -> list[ElementInstance]:
        keys = [
            last_int(index_key)
            for index_key, _ in self._store.iterate(_CHILDREN, _pack_int(flow_scope_key + _OFFSET))
        ]
        changes = self._pending_children.get(flow_scope_key)
        if changes:
            present = set(keys)
            present.update(k for k, added in changes.items() if added)
            present.difference_update(k for k, added in changes.items() if not added)
            keys = sorted(present)
        result = []
        for key in keys:
            child = self.get(key)
            if child is not None:
                result.append(child)
        return result

    def runs_definition(self, process_definition_key: int) -> bool:
        """Whether any element instance of the process definition is running. Reads every
        instance of the partition: for rare commands only (resource deletion)."""
        for index, raw in self._store.iterate(_INSTANCES):
            key = last_int(index)
            pending = self._pending.get(key, _MISSING)
            if pending is _MISSING and raw["d"] == process_definition_key:
                return True
        return any(
            i is not None and i.value.process_definition_key == process_definition_key
            for i in self._pending.values()
        )


class ElementInstanceState(ElementInstanceReader):
    """Writes are kept in memory until `flush`, which the engine calls once per command batch
    (and replay once per event): an element passes through several lifecycle events and
    commands, and its flow scope counts each of them, so most instances would otherwise be
    encoded and stored several times per batch, and a start event, gateway or end event,
    created and removed in one batch, would be stored (and indexed) for nothing. Appliers
    still make every change; the store holds the same content as with immediate writes
    whenever no command is being processed. When a command fails, the engine discards the
    pending changes with the store's and applies the events of the batch's earlier commands
    again (`Engine._roll_back`)."""

    def __init__(self, store: KeyValueStore) -> None:
        super().__init__(store)
        self._value_parts: dict[int, tuple[ProcessInstanceRecordValue, dict[str, Any]]] = {}
        # Keys created in this batch: not in the store, so removing one stores nothing.
        self._created: set[int] = set()

    def put(self, instance: ElementInstance) -> None:
        key = instance.key
        self._pending[key] = instance

    def create(self, instance: ElementInstance) -> None:
        self.put(instance)
        self._created.add(instance.key)
        scope_key = instance.flow_scope_key
        if scope_key != -1:
            self._change_child(scope_key, instance.key, True)

    def _change_child(self, scope_key: int, key: int, added: bool) -> None:
        changes = self._pending_children.get(scope_key)
        if changes is None:
            changes = self._pending_children[scope_key] = {}
        if changes.get(key) is (not added):
            del changes[key]  # added and removed in this batch: nothing to store
        else:
            changes[key] = added

    def remove(self, key: int, instance: ElementInstance | None = _MISSING) -> None:
        """Remove the instance `key`; `instance`, when the caller has just read it, saves
        reading it again (None: there is none, nothing to do)."""
        if instance is _MISSING:
            instance = self.get(key)
        if instance is None:
            return
        self._pending[key] = None
        if instance.flow_scope_key != -1:
            self._change_child(instance.flow_scope_key, key, False)

    def flush(self) -> None:
        """Write the pending changes to the store (before a commit)."""
        store = self._store
        created = self._created
        for key, instance in self._pending.items():
            if instance is None:
                if key not in created:
                    store.delete(_INSTANCES, _pack_int(key + _OFFSET))
                    self._decoded.pop(key, None)
                    self._value_parts.pop(key, None)
            else:
                self._write(instance)
        for scope_key, changes in self._pending_children.items():
            for key, added in changes.items():
                index_key = _pack_pair(scope_key + _OFFSET, key + _OFFSET)
                if added:
                    store.put(_CHILDREN, index_key, 1)
                else:
                    store.delete(_CHILDREN, index_key)
        self.discard_pending()

    def discard_pending(self) -> None:
        """Forget the pending changes (the command batch failed; the store is rolled back)."""
        self._pending.clear()
        self._pending_children.clear()
        self._created.clear()

    def _write(self, instance: ElementInstance) -> None:
        # The record value part of the encoding is the same for every state of an instance.
        cached = self._value_parts.get(instance.key)
        if cached is None or cached[0] is not instance.value:
            if len(self._value_parts) >= _DECODED_LIMIT:
                self._value_parts.clear()
            cached = (instance.value, _encode_value(instance.value))
            self._value_parts[instance.key] = cached
        raw = _encode(instance, cached[1])
        self._store.put(_INSTANCES, _pack_int(instance.key + _OFFSET), raw)
        self._remember(instance.key, raw, instance)
