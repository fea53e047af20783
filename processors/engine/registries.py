"""The engine's tables, built when an `Engine` is constructed (never filled by importing a
module): the command processor of each (value type, intent), the element processor of each
element type, and the subscription kind of each catch-event type. The engine hands the last
two to every command through its `ProcessingContext`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from broker.protocol import Intent, ValueType
from broker.protocol.values import BpmnEventType
from processors.engine.bpmn.element_processors import build_element_processors
from processors.engine.bpmn.element_registry import ElementProcessors
from processors.engine.bpmn.event_subscriptions import SubscriptionKind
from processors.engine.bpmn.subscription_kinds import build_subscription_kinds
from processors.engine.context import CommandProcessor
from processors.engine.processor_registry import PROCESSORS


@dataclass(frozen=True, slots=True)
class Registries:
    commands: Mapping[tuple[ValueType, Intent], CommandProcessor]
    elements: ElementProcessors
    subscriptions: Mapping[BpmnEventType, SubscriptionKind]


def build_registries() -> Registries:
    return Registries(
        commands=dict(PROCESSORS),
        elements=build_element_processors(),
        subscriptions=build_subscription_kinds(),
    )
