"""One element instance being processed: the processing context, the instance's key and
record value, and its node in the executable model. Every element processor and behaviour
takes an `ElementCall`."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from bpmn import ExecutableProcess, FlowNode
from broker.protocol.values import BpmnElementType, BpmnEventType, ProcessInstanceRecordValue
from processors.engine.context import ProcessingContext
from processors.engine.state import ElementInstance
from processors.engine.state.state_class import state_class


@state_class
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
        return _element_value(
            self.value,
            node.id,
            self.key,
            element_type or protocol_element_type(node),
            node.event_type,
        )

    def sibling_value(self, element_id: str, element_type: BpmnElementType) -> Any:
        return _element_value(
            self.value,
            element_id,
            self.value.flow_scope_key,
            element_type,
            BpmnEventType.UNSPECIFIED,
        )


def _element_value(
    value: ProcessInstanceRecordValue,
    element_id: str,
    flow_scope_key: int,
    element_type: BpmnElementType,
    event_type: BpmnEventType,
) -> ProcessInstanceRecordValue:
    """`value` for another element of the same instance. Written out instead of
    dataclasses.replace, which costs several times more on a path taken for every element."""
    # Positionally, in field order (cheaper than keywords).
    return ProcessInstanceRecordValue(
        value.bpmn_process_id,
        value.version,
        value.process_definition_key,
        value.process_instance_key,
        element_id,
        flow_scope_key,
        element_type,
        event_type,
        value.parent_process_instance_key,
        value.parent_element_instance_key,
        value.tenant_id,
    )


# `_element_value` passes every field in order: a field added to the protocol must be added
# there too.
if [f.name for f in fields(ProcessInstanceRecordValue)] != [
    "bpmn_process_id",
    "version",
    "process_definition_key",
    "process_instance_key",
    "element_id",
    "flow_scope_key",
    "bpmn_element_type",
    "bpmn_event_type",
    "parent_process_instance_key",
    "parent_element_instance_key",
    "tenant_id",
]:
    raise TypeError("ProcessInstanceRecordValue changed: update element_call._element_value")


def protocol_element_type(node: FlowNode) -> BpmnElementType:
    if node.multi_instance is not None:
        return BpmnElementType.MULTI_INSTANCE_BODY
    return node.element_type


def call_for(ctx: ProcessingContext, instance: ElementInstance) -> ElementCall:
    process = ctx.state.processes.executable(instance.value.process_definition_key)
    return ElementCall(ctx, instance.key, instance.value, process)
