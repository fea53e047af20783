"""The frozen executable model that deployment builds once from a BPMN file.

    Definitions            the whole parsed file
    ├── processes          ExecutableProcess per `isExecutable="true"` process (deployable)
    ├── other_processes    ProcessSummary of the rest (kept for display, never run)
    ├── messages/errors/escalations/signals   root-level definitions by id
    └── diagram            DiagramInfo: BPMNDI bounds and waypoints, for display only

    ExecutableProcess
    ├── elements           FlowNode by id (every flow node of every scope, read-only mapping)
    ├── sequence_flows     SequenceFlow by id
    └── scopes             FlowScope by container id (the process id and every subprocess id)

A FlowNode is one record with optional parts (job, io_mappings, message, timer, ...); which
parts are set follows from `element_type` and `event_type`. Incoming and outgoing flows are
derived from `sourceRef`/`targetRef`, never from the `incoming`/`outgoing` children.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from bpmn.expressions import Expression
from bpmn.model_parts import (
    CalledDecision,
    CalledElement,
    ErrorDefinition,
    EscalationDefinition,
    ExecutionListener,
    IoMappings,
    JobDefinition,
    MessageDefinition,
    MultiInstance,
    Property,
    ScriptDefinition,
    SignalDefinition,
    TimerDefinition,
    UserTaskDefinition,
)
from bpmn.model_types import BpmnElementType, BpmnEventType

NO_MAPPINGS = IoMappings()
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class FlowNode:
    id: str
    name: str | None
    element_type: BpmnElementType
    event_type: BpmnEventType
    flow_scope_id: str
    line: int | None
    element_path: str
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    default_flow_id: str | None = None
    job: JobDefinition | None = None
    io_mappings: IoMappings = NO_MAPPINGS
    message: MessageDefinition | None = None
    timer: TimerDefinition | None = None
    error: ErrorDefinition | None = None
    escalation: EscalationDefinition | None = None
    signal: SignalDefinition | None = None
    link_name: str | None = None
    called_element: CalledElement | None = None
    called_decision: CalledDecision | None = None
    """Business rule tasks without a job: the decision they evaluate."""
    multi_instance: MultiInstance | None = None
    script: ScriptDefinition | None = None
    attached_to_id: str | None = None
    """Boundary events: the activity they are attached to."""
    cancel_activity: bool = True
    """Boundary events: interrupting (`cancelActivity`, default true) or not."""
    interrupting: bool = True
    """Start events of event subprocesses: `isInterrupting` (default true)."""
    boundary_event_ids: tuple[str, ...] = ()
    """Activities: the boundary events attached to them, in document order."""
    properties: tuple[Property, ...] = ()
    execution_listeners: tuple[ExecutionListener, ...] = ()
    """`zeebe:executionListeners` in document order (start and end mixed)."""
    user_task: UserTaskDefinition | None = None
    """A Camunda user task (`zeebe:userTask`); a user task without it is job-based (`job`)."""


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    id: str
    name: str | None
    source_id: str
    target_id: str
    flow_scope_id: str
    line: int | None
    element_path: str
    condition: Expression | None = None


@dataclass(frozen=True, slots=True)
class FlowScope:
    """A container (process, subprocess, event subprocess) and what it directly holds."""

    id: str
    element_ids: tuple[str, ...]
    """Flow nodes directly inside, in document order (boundary events included)."""
    start_event_ids: tuple[str, ...]
    none_start_event_id: str | None
    event_subprocess_ids: tuple[str, ...]
    sequence_flow_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExecutableProcess:
    bpmn_process_id: str
    name: str | None
    version_tag: str | None
    line: int | None
    elements: Mapping[str, FlowNode]
    sequence_flows: Mapping[str, SequenceFlow]
    scopes: Mapping[str, FlowScope]
    none_start_event_id: str | None
    start_event_ids: tuple[str, ...]
    """Start events directly in the process (not those of event subprocesses)."""
    properties: tuple[Property, ...] = ()
    execution_listeners: tuple[ExecutionListener, ...] = ()
    """The process's own `zeebe:executionListeners` (it has no FlowNode)."""
    derived: dict[object, object] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    """Lookups users derive from the model and keep with it (the engine: per element, whether
    it has catch events, ...), filled lazily; never part of the model's meaning."""

    def element(self, element_id: str) -> FlowNode:
        return self.elements[element_id]

    def scope(self, scope_id: str) -> FlowScope:
        return self.scopes[scope_id]

    @property
    def root_scope(self) -> FlowScope:
        return self.scopes[self.bpmn_process_id]


@dataclass(frozen=True, slots=True)
class ProcessSummary:
    """A process that is not executable: kept so tools can list it, never deployed."""

    id: str
    name: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class MessageInfo:
    id: str
    name: str | None
    correlation_key: str | None


@dataclass(frozen=True, slots=True)
class CodedInfo:
    """A root-level `error` or `escalation`: its code (errorCode / escalationCode) and name."""

    id: str
    name: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class SignalInfo:
    id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class DiagramInfo:
    """BPMNDI data by BPMN element id: shape bounds and edge waypoints. Display only."""

    shapes: Mapping[str, Bounds] = field(default_factory=lambda: MappingProxyType({}))
    edges: Mapping[str, tuple[Point, ...]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Definitions:
    source_name: str
    id: str | None
    target_namespace: str | None
    exporter: str | None
    exporter_version: str | None
    processes: tuple[ExecutableProcess, ...]
    other_processes: tuple[ProcessSummary, ...]
    messages: Mapping[str, MessageInfo]
    errors: Mapping[str, CodedInfo]
    escalations: Mapping[str, CodedInfo]
    signals: Mapping[str, SignalInfo]
    diagram: DiagramInfo

    def process(self, bpmn_process_id: str) -> ExecutableProcess:
        for process in self.processes:
            if process.bpmn_process_id == bpmn_process_id:
                return process
        raise KeyError(bpmn_process_id)


def frozen_map(items: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only view over a private copy, so a model can never be changed after parsing."""
    return MappingProxyType(dict(items))
