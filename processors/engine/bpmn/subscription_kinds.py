"""The table of catch-event subscription kinds by event type (`event_subscriptions`), built for
each Engine. Error and escalation events have none: throwing finds the catch element."""

from __future__ import annotations

from broker.protocol.values import BpmnEventType
from processors.engine.bpmn.event_subscriptions import SubscriptionKind
from processors.engine.bpmn.message_behavior import MessageSubscriptions
from processors.engine.bpmn.signal_behavior import SignalSubscriptions
from processors.engine.bpmn.timer_behavior import TimerSubscriptions


def build_subscription_kinds() -> dict[BpmnEventType, SubscriptionKind]:
    return {
        BpmnEventType.TIMER: TimerSubscriptions(),
        BpmnEventType.MESSAGE: MessageSubscriptions(),
        BpmnEventType.SIGNAL: SignalSubscriptions(),
    }
