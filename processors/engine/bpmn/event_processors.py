"""Events that need nothing to happen: none start, none and link intermediate throw, link
catch, none end and terminate end events. A link throw activates the catch event with the
same link name in its scope; a terminate end event terminates everything else in its scope,
which then completes."""

from __future__ import annotations

from typing import Any

from broker.protocol.values import BpmnElementType, BpmnEventType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall, call_for
from processors.engine.bpmn.execution_listeners import activation_ready, completion_ready
from processors.engine.bpmn.variable_behavior import apply_output_behavior


def _trigger_variables(call: ElementCall) -> dict[str, Any]:
    instance = call.instance
    if instance is None or instance.completion_variables is None:
        return {}
    return dict(instance.completion_variables)


_SUPPORTED = (BpmnEventType.NONE, BpmnEventType.LINK, BpmnEventType.TERMINATE)


class PassThroughEventProcessor:
    def on_activate(self, call: ElementCall) -> None:
        if call.value.bpmn_event_type not in _SUPPORTED:
            # refused at deployment (test_every_deployable_kind_runs.py): a defect if reached
            raise RuntimeError(
                f"{call.value.bpmn_event_type} {call.value.bpmn_element_type}"
                f" '{call.value.element_id}' has no processor: the model refuses it at deployment"
            )
        self.pass_through(call)

    def pass_through(self, call: ElementCall) -> None:
        if not activation_ready(call):  # input mappings, start listeners
            return
        lifecycle.activated(call)
        lifecycle.complete_now(call)

    def on_complete(self, call: ElementCall) -> None:
        variables = _trigger_variables(call)
        if not completion_ready(call, lambda: apply_output_behavior(call, variables)):
            return  # output mappings, end listeners
        if call.value.bpmn_event_type is BpmnEventType.LINK and not call.require_node().outgoing:
            self._throw_link(call)
            return
        lifecycle.completed(call)

    def _throw_link(self, call: ElementCall) -> None:
        node = call.require_node()
        lifecycle.write_completed(call)
        scope_instance = call.ctx.state.elements.get(call.value.flow_scope_key)
        if scope_instance is None:
            return
        scope = call_for(call.ctx, scope_instance)
        for element_id in call.process.scopes[node.flow_scope_id].element_ids:
            target = call.process.elements[element_id]
            if (
                target.element_type is BpmnElementType.INTERMEDIATE_CATCH_EVENT
                and target.link_name == node.link_name
            ):
                lifecycle.activate_child(scope, target)
                return

    def on_terminate(self, call: ElementCall) -> None:
        lifecycle.terminated(call)


class EndEventProcessor(PassThroughEventProcessor):
    def on_complete(self, call: ElementCall) -> None:
        if call.value.bpmn_event_type is not BpmnEventType.TERMINATE:
            super().on_complete(call)
            return
        if not completion_ready(call):  # end listeners
            return
        lifecycle.write_completed(call)
        scope_instance = call.ctx.state.elements.get(call.value.flow_scope_key)
        if scope_instance is None:
            return
        scope = call_for(call.ctx, scope_instance)
        if lifecycle.terminate_children(scope) == 0:
            lifecycle.notify_scope_completed(call)
