"""The element processor of each element type, and what an element processor is.

An element processor reacts to the lifecycle commands of its element instances; containers
also hear about their children ending. Families register themselves in `PROCESSORS` (see
`element_processors.py`); adding an element family means adding one module and its lines there.
"""

from __future__ import annotations

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


PROCESSORS: dict[BpmnElementType, ElementProcessor] = {}


def processor_for(element_type: BpmnElementType) -> ElementProcessor:
    processor = PROCESSORS.get(element_type)
    if processor is None:
        # bpmn validation refuses every element type missing here
        # (tests/engine/test_every_deployable_kind_runs.py): reaching this is a defect
        raise RuntimeError(f"no element processor for {element_type}: refused at deployment")
    return processor


def container_for(element_type: BpmnElementType) -> ContainerProcessor:
    processor = processor_for(element_type)
    if not hasattr(processor, "on_child_completed"):
        raise TypeError(f"{element_type} is not a container")
    return processor  # type: ignore[return-value]
