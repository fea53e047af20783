"""MESSAGE_SUBSCRIPTION MIGRATE on the message's partition: the instance's partition migrated a
process message subscription to another element (and maybe another process), and tells the
message partition so (Zeebe sends the same command). Its half of the subscription learns the
new BPMN process id and element id: a message correlates at most once per process id, which
this half checks."""

from __future__ import annotations

import dataclasses

from broker.protocol import Record, RejectionType
from broker.protocol.intents import MessageSubscriptionIntent as MS
from broker.protocol.values import MessageSubscriptionRecordValue
from processors.engine.context import ProcessingContext


def migrate(command: Record[MessageSubscriptionRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    subscription = ctx.state.message_subscriptions.for_element(
        value.element_instance_key, value.message_name
    )
    if subscription is None:  # deleted meanwhile: nothing waits any more
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to migrate the message subscription for element with key"
            f" '{value.element_instance_key}' and message name '{value.message_name}', but"
            " none was found",
        )
        return
    ctx.event(
        subscription.key,
        MS.MIGRATED,
        dataclasses.replace(
            subscription.value,
            bpmn_process_id=value.bpmn_process_id,
            element_id=value.element_id,
            process_definition_key=value.process_definition_key,
        ),
    )
