"""Message start events. The latest version of a process has one MESSAGE_START_EVENT_SUBSCRIPTION
per message start event on every partition (a new version replaces them; a message published
before the deployment is not correlated, as in Zeebe). A message starts an instance unless one
started by a message with the same (non-empty) correlation key is still active; it then stays
buffered and starts the next instance when that one ends."""

from __future__ import annotations

from bpmn import ExecutableProcess
from broker.protocol.intents import MessageStartEventSubscriptionIntent as Start
from broker.protocol.values import BpmnEventType, MessageStartEventSubscriptionRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_trigger_behavior import trigger_start_event
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate
from processors.engine.context import ProcessingContext
from processors.engine.state.message_state import MessageStartedInstance, StoredMessage
from processors.engine.state.message_subscription_state import StartSubscription


def message_start_events(process: ExecutableProcess) -> list[tuple[str, str]]:
    """(start event id, message name) of the process's own message start events."""
    found = []
    for element_id in process.start_event_ids:
        node = process.elements[element_id]
        if node.event_type is BpmnEventType.MESSAGE and node.message is not None:
            try:
                name = evaluate(node.message.name, {}, 0)
            except ExpressionFailure:
                continue  # the deployment validated it; an unusable name starts nothing
            if isinstance(name, str):
                found.append((element_id, name))
    return found


def replace_start_subscriptions(ctx: ProcessingContext, process_definition_key: int) -> None:
    """After PROCESS CREATED: if it is the latest version, close the subscriptions of older
    versions and open one per message start event."""
    deployed = ctx.state.processes.by_key(process_definition_key)
    if deployed is None:
        return
    tenant = deployed.tenant_id
    if ctx.state.processes.latest_version(deployed.bpmn_process_id, tenant) != deployed.version:
        return
    subscriptions = ctx.state.message_subscriptions
    for old in subscriptions.start_subscriptions_of(deployed.bpmn_process_id, tenant):
        ctx.event(old.key, Start.DELETED, old.value)
    process = ctx.state.processes.executable(process_definition_key)
    for start_event_id, name in message_start_events(process):
        ctx.event(
            ctx.next_key(),
            Start.CREATED,
            MessageStartEventSubscriptionRecordValue(
                process_definition_key=process_definition_key,
                bpmn_process_id=deployed.bpmn_process_id,
                start_event_id=start_event_id,
                message_name=name,
                tenant_id=tenant,
            ),
        )


def correlate_to_start_events(
    ctx: ProcessingContext, message: StoredMessage, skip_processes: set[str]
) -> list[int]:
    """A new message: start an instance of each process with a matching start event, unless
    the process already took it or its correlation key is locked by an active instance.
    Returns the keys of the instances started."""
    started: list[int] = []
    subscriptions = ctx.state.message_subscriptions.start_subscriptions(
        message.value.name, message.value.tenant_id
    )
    for subscription in subscriptions:
        process_id = subscription.value.bpmn_process_id
        if process_id in skip_processes or _locked(ctx, process_id, message):
            continue
        skip_processes.add(process_id)
        started.append(start_instance(ctx, subscription, message))
    return started


def _locked(ctx: ProcessingContext, process_id: str, message: StoredMessage) -> bool:
    key = message.value.correlation_key
    if not key:
        return False  # an empty correlation key allows any number of instances
    return ctx.state.messages.active_start(process_id, key, message.value.tenant_id) is not None


def start_instance(
    ctx: ProcessingContext, subscription: StartSubscription, message: StoredMessage
) -> int:
    instance_key = ctx.next_key()
    value = subscription.value
    correlated = MessageStartEventSubscriptionRecordValue(
        process_definition_key=value.process_definition_key,
        bpmn_process_id=value.bpmn_process_id,
        start_event_id=value.start_event_id,
        message_name=value.message_name,
        message_key=message.key,
        correlation_key=message.value.correlation_key,
        process_instance_key=instance_key,
        variables=message.value.variables,
        tenant_id=value.tenant_id,
    )
    ctx.event(subscription.key, Start.CORRELATED, correlated)
    trigger_start_event(
        ctx,
        value.process_definition_key,
        instance_key,
        value.start_event_id,
        dict(message.value.variables),
    )
    return instance_key


def started_by_message(call: ElementCall) -> MessageStartedInstance | None:
    """For a process instance about to end: how a message started it (None if not)."""
    return call.ctx.state.messages.started_instance(call.key)


def start_next_buffered(ctx: ProcessingContext, started: MessageStartedInstance | None) -> None:
    """After an instance started by a message has ended: the oldest buffered message with
    its correlation key that this process has not taken yet starts the next instance."""
    if started is None or not started.correlation_key:
        return
    tenant = started.tenant_id
    subscriptions = ctx.state.message_subscriptions.start_subscriptions_of(
        started.bpmn_process_id, tenant
    )
    by_name = {s.value.message_name: s for s in subscriptions}
    candidates: list[StoredMessage] = []
    for name in by_name:
        for message in ctx.state.messages.buffered(name, started.correlation_key, tenant):
            if message.value.deadline > ctx.now_ms and not ctx.state.messages.correlated_to(
                message.key, started.bpmn_process_id
            ):
                candidates.append(message)
                break
    if candidates:
        oldest = min(candidates, key=lambda m: m.key)
        start_instance(ctx, by_name[oldest.value.name], oldest)
