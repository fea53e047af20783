"""The element processor of each element type, and what an element processor is.

An element processor reacts to the lifecycle commands of its element instances; containers
also hear about their children ending. `element_processors.build_element_processors` builds
the table (once per Engine, which hands it to every command through its context); adding an
element family means adding one module and its lines there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from broker.protocol.values import BpmnElementType
from processors.engine.bpmn.element_call import ElementCall


class ElementProcessor(Protocol):
    def on_activate(self, call: ElementCall) -> None:
        """After ELEMENT_ACTIVATING: map inputs, then activate (or raise an incident and stay)."""
        ...

    def on_complete(self, call: ElementCall) -> None:
        """After ELEMENT_COMPLETING: map outputs, then complete and take the outgoing flows."""
        ...

    def on_terminate(self, call: ElementCall) -> None:
        """After ELEMENT_TERMINATING: stop what runs inside, then ELEMENT_TERMINATED."""
        ...


class ContainerProcessor(ElementProcessor, Protocol):
    def on_child_completed(self, scope: ElementCall, child: ElementCall) -> None: ...

    def on_child_terminated(self, scope: ElementCall, child: ElementCall) -> None: ...


class ElementProcessors:
    """The element processor of each element type."""

    __slots__ = ("table",)

    def __init__(self, table: Mapping[BpmnElementType, ElementProcessor]) -> None:
        self.table: Mapping[BpmnElementType, ElementProcessor] = dict(table)
        """Read it, never change it (`processor_for` below looks it up directly)."""

    def processor_for(self, element_type: BpmnElementType) -> ElementProcessor:
        processor = self.table.get(element_type)
        if processor is None:
            # bpmn validation refuses every element type missing here
            # (tests/engine/test_every_deployable_kind_runs.py): reaching this is a defect
            raise RuntimeError(f"no element processor for {element_type}: refused at deployment")
        return processor

    def container_for(self, element_type: BpmnElementType) -> ContainerProcessor:
        processor = self.processor_for(element_type)
        if not hasattr(processor, "on_child_completed"):
            raise TypeError(f"{element_type} is not a container")
        return processor  # type: ignore[return-value]


def processor_for(call: ElementCall) -> ElementProcessor:
    """The processor of `call`'s element type, from the engine's table (asked at every step of
    every element: one lookup, the registry's method only for its error)."""
    registry = call.ctx.element_processors
    element_type = call.value.bpmn_element_type
    processor = registry.table.get(element_type)
    return registry.processor_for(element_type) if processor is None else processor


def container_for(call: ElementCall) -> ContainerProcessor:
    """The processor of `call`'s element type, which must be a container."""
    return call.ctx.element_processors.container_for(call.element_type)
