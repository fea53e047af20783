"""Signals in a process: the SIGNAL kind of catch-event subscription (intermediate catch,
boundary, event subprocess start, event-based gateway: SIGNAL_SUBSCRIPTION CREATED when the
event scope activates, DELETED when it leaves), the start event subscriptions of the latest
version of a process (on every partition; a new version replaces them), and throwing: a signal
throw or end event broadcasts its signal with its local variables (its input mappings)."""

from __future__ import annotations

from collections.abc import Collection

from bpmn import FlowNode
from broker.protocol.intents import SignalIntent, SignalSubscriptionIntent
from broker.protocol.values import BpmnEventType, SignalRecordValue, SignalSubscriptionRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed
from processors.engine.context import ProcessingContext


def evaluate_signal_name(call: ElementCall, node: FlowNode) -> str:
    """The signal name of `node` (static or FEEL, seeing the variables of `call`)."""
    if node.signal is None:
        raise ExpressionFailure(f"Expected signal event '{node.id}' to reference a signal")
    variables = call.ctx.state.variables.visible(call.key)
    name: str = evaluate_typed(node.signal.name, variables, call.ctx.now_ms, str)
    return name


class SignalSubscriptions:
    """Opens and closes the signal subscriptions of event scopes."""

    def evaluate(self, call: ElementCall, node: FlowNode) -> str:
        return evaluate_signal_name(call, node)

    def open(self, call: ElementCall, node: FlowNode, evaluated: str) -> None:
        ctx = call.ctx
        ctx.event(
            ctx.next_key(),
            SignalSubscriptionIntent.CREATED,
            SignalSubscriptionRecordValue(
                process_definition_key=call.value.process_definition_key,
                bpmn_process_id=call.value.bpmn_process_id,
                catch_event_id=node.id,
                catch_event_instance_key=call.key,
                signal_name=evaluated,
                tenant_id=call.value.tenant_id,
            ),
        )

    def close(self, call: ElementCall, element_ids: Collection[str]) -> None:
        for subscription in call.ctx.state.signal_subscriptions.of_element(call.key):
            if subscription.value.catch_event_id in element_ids:
                call.ctx.event(
                    subscription.key, SignalSubscriptionIntent.DELETED, subscription.value
                )


def replace_signal_start_subscriptions(ctx: ProcessingContext, process_definition_key: int) -> None:
    """After PROCESS CREATED: if it is the latest version, delete the signal start
    subscriptions of older versions and open one per signal start event of this one. A name
    that cannot be evaluated without variables opens nothing."""
    deployed = ctx.state.processes.by_key(process_definition_key)
    if deployed is None:
        return
    tenant = deployed.tenant_id
    if ctx.state.processes.latest_version(deployed.bpmn_process_id, tenant) != deployed.version:
        return
    subscriptions = ctx.state.signal_subscriptions
    for old in subscriptions.start_subscriptions_of(deployed.bpmn_process_id, tenant):
        ctx.event(old.key, SignalSubscriptionIntent.DELETED, old.value)
    process = ctx.state.processes.executable(process_definition_key)
    for element_id in process.start_event_ids:
        node = process.elements[element_id]
        if node.event_type is not BpmnEventType.SIGNAL or node.signal is None:
            continue
        try:
            name = evaluate_typed(node.signal.name, {}, ctx.now_ms, str)
        except ExpressionFailure:
            continue
        ctx.event(
            ctx.next_key(),
            SignalSubscriptionIntent.CREATED,
            SignalSubscriptionRecordValue(
                process_definition_key=process_definition_key,
                bpmn_process_id=deployed.bpmn_process_id,
                catch_event_id=element_id,
                catch_event_instance_key=-1,
                signal_name=name,
                tenant_id=tenant,
            ),
        )


def broadcast_from_element(call: ElementCall) -> None:
    """A signal throw or end event: SIGNAL BROADCAST (as a follow-up command, processed like a
    client's broadcast) with the element's local variables. Raises ExpressionFailure."""
    name = evaluate_signal_name(call, call.require_node())
    variables = call.ctx.state.variables.local(call.key)
    call.ctx.follow_up(
        -1,
        SignalIntent.BROADCAST,
        SignalRecordValue(signal_name=name, variables=variables, tenant_id=call.value.tenant_id),
    )
