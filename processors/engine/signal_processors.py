"""SIGNAL BROADCAST. A new broadcast (from a client or a signal throw event) gets a key,
BROADCASTED, triggers every matching subscription on this partition — start events included:
one instance per process whose latest version has a matching signal start event — and is
distributed to every other partition. There, with the same key, it triggers the subscriptions
of waiting element instances only (an instance is started once, on the partition that took the
broadcast, as in Zeebe) and is acknowledged; a copy received again is only acknowledged.
Signals are not buffered: a subscription opened later sees nothing of earlier broadcasts."""

from __future__ import annotations

from broker.protocol import Intent, Record, RejectionType, ValueType
from broker.protocol.intents import SignalIntent
from broker.protocol.values import SignalRecordValue
from processors.engine.bpmn.event_trigger_behavior import trigger_event, trigger_start_event
from processors.engine.context import CommandProcessor, ProcessingContext
from processors.engine.distribution_behavior import (
    acknowledge,
    distribute,
    is_own_resend,
    resend,
)
from processors.engine.state.signal_state import SignalSubscription


def broadcast(command: Record[SignalRecordValue], ctx: ProcessingContext) -> None:
    if is_own_resend(ctx, command):
        resend(ctx, command)
        return
    if command.key != -1:
        _receive(command, ctx)
        return
    value = command.value
    if not value.signal_name:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected to broadcast a signal with a name, but the name is empty",
        )
        return
    key = ctx.next_key()
    # Collected first: triggering closes subscriptions (an interrupted scope leaves).
    subscriptions = ctx.state.signal_subscriptions.by_name(value.signal_name, value.tenant_id)
    ctx.respond(ctx.event(key, SignalIntent.BROADCASTED, value))
    _trigger(ctx, subscriptions, value, start_instances=True)
    distribute(ctx, Record.command(SignalIntent.BROADCAST, value, key=key))


def _receive(command: Record[SignalRecordValue], ctx: ProcessingContext) -> None:
    """A broadcast distributed by another partition (maybe a re-sent copy)."""
    if not ctx.state.signal_subscriptions.was_received(command.key):
        value = command.value
        subscriptions = ctx.state.signal_subscriptions.by_name(value.signal_name, value.tenant_id)
        ctx.event(command.key, SignalIntent.BROADCASTED, value)
        _trigger(ctx, subscriptions, value, start_instances=False)
    acknowledge(ctx, command)


def _trigger(
    ctx: ProcessingContext,
    subscriptions: list[SignalSubscription],
    signal: SignalRecordValue,
    *,
    start_instances: bool,
) -> None:
    for subscription in subscriptions:
        value = subscription.value
        if subscription.is_start_event:
            if start_instances:
                trigger_start_event(
                    ctx,
                    value.process_definition_key,
                    ctx.next_key(),
                    value.catch_event_id,
                    dict(signal.variables),
                )
            continue
        scope = ctx.state.elements.get(value.catch_event_instance_key)
        if scope is None:
            continue
        process = ctx.state.processes.executable(value.process_definition_key)
        node = process.elements.get(value.catch_event_id)
        if node is not None:
            # False when an earlier subscription of this broadcast interrupted the scope.
            trigger_event(ctx, scope, node, dict(signal.variables))


SIGNAL_PROCESSORS: dict[tuple[ValueType, Intent], CommandProcessor] = {
    (ValueType.SIGNAL, SignalIntent.BROADCAST): broadcast,
}
