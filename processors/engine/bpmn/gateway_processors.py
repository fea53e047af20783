"""Gateways: exclusive (first true condition in document order, else the default flow),
inclusive (every true condition, else the default; joins when nothing more can arrive) and
parallel (all outgoing flows; joins when every incoming flow was taken). A single outgoing
flow with a condition is evaluated too. No outgoing flow to take is a CONDITION_ERROR incident,
a condition that fails or is not a boolean (null included) an EXTRACT_VALUE_ERROR incident, as
in Zeebe; the gateway waits for the incident to be resolved, which evaluates again."""

from __future__ import annotations

from bpmn import FlowNode
from broker.protocol.values import ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.execution_listeners import activation_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed
from processors.engine.bpmn.incident_behavior import raise_incident

NO_FLOW_MESSAGE = "Expected at least one condition to evaluate to true, or to have a default flow"


def _select(call: ElementCall, node: FlowNode, first_only: bool) -> list[str]:
    variables = call.ctx.state.variables.visible(call.key)
    chosen: list[str] = []
    for flow_id in node.outgoing:
        if flow_id == node.default_flow_id:
            continue
        condition = call.process.sequence_flows[flow_id].condition
        if condition is None or evaluate_typed(condition, variables, call.ctx.now_ms, bool):
            chosen.append(flow_id)
            if first_only:
                break
    if not chosen and node.default_flow_id is not None:
        chosen.append(node.default_flow_id)
    return chosen


def _must_choose(call: ElementCall, node: FlowNode) -> bool:
    """Whether the outgoing flows need evaluating: more than one, a default, or a single flow
    with a condition (Zeebe takes only a single flow without a condition unseen)."""
    outgoing = node.outgoing
    if len(outgoing) > 1 or node.default_flow_id is not None:
        return True
    return bool(outgoing) and call.process.sequence_flows[outgoing[0]].condition is not None


class _ConditionalGateway:
    first_only = True

    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # start listeners
            return
        node = call.require_node()
        flows: list[str] = list(node.outgoing)
        if _must_choose(call, node):
            try:
                flows = _select(call, node, self.first_only)
            except ExpressionFailure as failure:
                raise_incident(
                    call,
                    ErrorType.EXTRACT_VALUE_ERROR,
                    failure.message,
                    variable_scope_key=call.value.flow_scope_key,
                )
                return
            if not flows:
                raise_incident(
                    call,
                    ErrorType.CONDITION_ERROR,
                    NO_FLOW_MESSAGE,
                    variable_scope_key=call.value.flow_scope_key,
                )
                return
        lifecycle.activated(call)
        lifecycle.completing(call)
        lifecycle.completed(call, flows)

    def on_complete(self, call: ElementCall) -> None:
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        lifecycle.terminated(call)


class ExclusiveGatewayProcessor(_ConditionalGateway):
    first_only = True


class InclusiveGatewayProcessor(_ConditionalGateway):
    first_only = False


class ParallelGatewayProcessor:
    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # start listeners
            return
        lifecycle.activated(call)
        lifecycle.complete_now(call)

    def on_complete(self, call: ElementCall) -> None:
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        lifecycle.terminated(call)
