"""One element instance being processed: the processing context, the instance's key and
record value, and its node in the executable model. Every element processor and behaviour
takes an `ElementCall`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bpmn import ExecutableProcess, FlowNode
from broker.protocol.values import BpmnElementType, BpmnEventType, ProcessInstanceRecordValue
from processors.engine.context import ProcessingContext
from processors.engine.state import ElementInstance


@dataclass(frozen=True, slots=True)
class ElementCall:
    ctx: ProcessingContext
    key: int
    value: ProcessInstanceRecordValue
    process: ExecutableProcess

    @property
    def node(self) -> FlowNode | None:
        """The flow node; None for the process itself."""
        return self.process.elements.get(self.value.element_id)

    def require_node(self) -> FlowNode:
        node = self.node
        if node is None:
            raise KeyError(f"no flow node '{self.value.element_id}'")
        return node

    @property
    def instance(self) -> ElementInstance | None:
        """The instance as the state holds it now (after the events written so far)."""
        return self.ctx.state.elements.get(self.key)

    @property
    def element_type(self) -> BpmnElementType:
        return self.value.bpmn_element_type

    @property
    def flow_scope_id(self) -> str:
        """The id of the scope holding this element's children (itself for containers)."""
        return self.value.element_id

    def for_instance(self, instance: ElementInstance) -> ElementCall:
        return ElementCall(self.ctx, instance.key, instance.value, self.process)

    def child_value(
        self, node: FlowNode, *, element_type: BpmnElementType | None = None
    ) -> ProcessInstanceRecordValue:
        """The record value of a new child of this element instance running `node`."""
        return replace(
            self.value,
            element_id=node.id,
            flow_scope_key=self.key,
            bpmn_element_type=element_type or protocol_element_type(node),
            bpmn_event_type=BpmnEventType(node.event_type.value),
        )

    def sibling_value(self, element_id: str, element_type: BpmnElementType) -> Any:
        return replace(
            self.value,
            element_id=element_id,
            bpmn_element_type=element_type,
            bpmn_event_type=BpmnEventType.UNSPECIFIED,
        )


def protocol_element_type(node: FlowNode) -> BpmnElementType:
    if node.multi_instance is not None:
        return BpmnElementType.MULTI_INSTANCE_BODY
    return BpmnElementType(node.element_type.value)


def call_for(ctx: ProcessingContext, instance: ElementInstance) -> ElementCall:
    process = ctx.state.processes.executable(instance.value.process_definition_key)
    return ElementCall(ctx, instance.key, instance.value, process)
