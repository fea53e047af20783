"""The catch events of a migrated element instance (its boundary events, the start events of
its event subprocesses, the catch event or receive task itself), as Zeebe 8.8 handles them:

- a source catch event mapped to a catch event of the target element keeps its
  subscription, which learns its new element (TIMER, PROCESS_MESSAGE_SUBSCRIPTION,
  SIGNAL_SUBSCRIPTION MIGRATED; a timer keeps its due date);
- a source catch event not mapped is unsubscribed (TIMER CANCELED, the message subscription
  deleted, SIGNAL_SUBSCRIPTION DELETED);
- a catch event of the target that no source catch event is mapped to is subscribed as if the
  element had just activated (its timer, message name and correlation key evaluated now); a
  failing expression rejects the migration, and so does a new message catch event whose
  message the element already waits for."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bpmn import ExecutableProcess
from broker.protocol import Record, RejectionType
from broker.protocol.intents import (
    MessageSubscriptionIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from broker.protocol.values import BpmnEventType, ProcessInstanceRecordValue
from processors.engine import migration_preconditions as check
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import (
    THROWN_EVENT_TYPES,
    catch_elements,
    catch_event_type,
    close_subscriptions,
)
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.context import ProcessingContext
from processors.engine.message_correlation import subscription_value
from processors.engine.message_partition import message_partition


def migrate_catch_events(
    ctx: ProcessingContext,
    key: int,
    element_key: int,
    old: ProcessInstanceRecordValue,
    new: ProcessInstanceRecordValue,
    source_process: ExecutableProcess,
    target_process: ExecutableProcess,
    mapping: Mapping[str, str],
) -> None:
    source_call = ElementCall(ctx, element_key, old, source_process)
    target_call = ElementCall(ctx, element_key, new, target_process)
    source_catch = catch_elements(source_call)
    target_catch = {node.id: node for node in catch_elements(target_call)}
    check.require_catch_events_stay_attached(
        key, old.element_id, new.element_id, source_catch, target_catch, mapping
    )
    kept = {
        node.id: mapping[node.id] for node in source_catch if mapping.get(node.id) in target_catch
    }
    # Every message the element waits for now, also those about to be unsubscribed: a
    # new subscription may not take the name of one (Zeebe asks for a mapping instead).
    state = ctx.state
    waiting_for = {
        s.value.message_name
        for s in state.message_subscriptions.process_subscriptions_of(element_key)
    }
    dropped = [node.id for node in source_catch if node.id not in kept]
    if dropped:
        close_subscriptions(source_call, dropped)
    _migrate_subscriptions(ctx, element_key, new, kept)

    targets_kept = set(kept.values())
    for node in target_catch.values():
        event_type = catch_event_type(node)
        if (
            node.id in targets_kept
            or event_type in THROWN_EVENT_TYPES
            or event_type is BpmnEventType.LINK
        ):
            continue
        kind = ctx.subscription_kinds.get(event_type)
        if kind is None:
            continue
        try:
            evaluated = kind.evaluate(target_call, node)
        except ExpressionFailure as failure:
            raise check.refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{old.element_id}' is mapped to element with id '{new.element_id}' that"
                f" must be subscribed to a catch event. {failure.message}",
            ) from None
        if event_type is BpmnEventType.MESSAGE and evaluated[0] in waiting_for:
            raise check.refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{old.element_id}' attempts to subscribe to a message it is already"
                f" subscribed to with name '{evaluated[0]}'. Migrating active elements that"
                " subscribe to a message they are already subscribed to is not possible yet."
                " Please provide a mapping instruction to message catch event with id"
                f" '{node.id}' to migrate the respective message subscription.",
            )
        kind.open(target_call, node, evaluated)


def _migrate_subscriptions(
    ctx: ProcessingContext,
    element_key: int,
    new: ProcessInstanceRecordValue,
    kept: Mapping[str, str],
) -> None:
    """The subscriptions of the catch events in `kept` (source id → target id) move."""
    if not kept:
        return
    state = ctx.state
    timers = state.timers
    for timer_key in list(timers.of_element(element_key)):
        timer = timers.get(timer_key)
        if timer is not None and timer.target_element_id in kept:
            ctx.event(
                timer_key,
                TimerIntent.MIGRATED,
                dataclasses.replace(
                    timer,
                    target_element_id=kept[timer.target_element_id],
                    process_definition_key=new.process_definition_key,
                ),
            )
    for subscription in state.message_subscriptions.process_subscriptions_of(element_key):
        value = subscription.value
        if (
            value.element_id in kept
            and subscription.state is not ProcessMessageSubscriptionIntent.DELETING
        ):
            migrated = dataclasses.replace(
                value, element_id=kept[value.element_id], bpmn_process_id=new.bpmn_process_id
            )
            ctx.event(subscription.key, ProcessMessageSubscriptionIntent.MIGRATED, migrated)
            # The message partition's half learns it too (sent after any CREATE before it).
            ctx.send(
                message_partition(value.correlation_key, ctx.partition_count),
                Record.command(
                    MessageSubscriptionIntent.MIGRATE,
                    subscription_value(migrated, new.process_definition_key),
                ),
            )
    for signal in state.signal_subscriptions.of_element(element_key):
        if signal.value.catch_event_id in kept:
            ctx.event(
                signal.key,
                SignalSubscriptionIntent.MIGRATED,
                dataclasses.replace(
                    signal.value,
                    catch_event_id=kept[signal.value.catch_event_id],
                    process_definition_key=new.process_definition_key,
                    bpmn_process_id=new.bpmn_process_id,
                ),
            )
