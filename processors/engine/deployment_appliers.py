"""Appliers of deployment, process and command distribution events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import CommandDistributionIntent, DeploymentIntent, ProcessIntent
from broker.protocol.values import (
    CommandDistributionRecordValue,
    DeploymentRecordValue,
    ProcessRecordValue,
)
from processors.engine.state import EngineState
from processors.engine.state.distribution_state import DISTRIBUTION_RESEND_AFTER_MS


def _process_created(record: Record[ProcessRecordValue], state: EngineState) -> None:
    v = record.value
    state.processes.put_process(
        v.process_definition_key,
        v.bpmn_process_id,
        v.version,
        v.resource_name,
        v.resource,
        v.checksum.hex(),
        v.deployment_key,
        v.version_tag,
        v.tenant_id,
    )


def _deployment_created(record: Record[DeploymentRecordValue], state: EngineState) -> None:
    state.processes.put_deployment(record.key)


def _distributing(record: Record[CommandDistributionRecordValue], state: EngineState) -> None:
    v = record.value
    state.distributions.put(
        record.key,
        v.partition_id,
        {"valueType": v.value_type, "intent": v.intent, "value": v.command_value},
        record.timestamp + DISTRIBUTION_RESEND_AFTER_MS,
    )


def _acknowledged(record: Record[CommandDistributionRecordValue], state: EngineState) -> None:
    state.distributions.acknowledge(record.key, record.value.partition_id)


DEPLOYMENT_APPLIERS: dict[tuple[ValueType, Intent], Callable[[Record[Any], EngineState], None]] = {
    (ValueType.PROCESS, ProcessIntent.CREATED): _process_created,
    (ValueType.DEPLOYMENT, DeploymentIntent.CREATED): _deployment_created,
    (ValueType.COMMAND_DISTRIBUTION, CommandDistributionIntent.DISTRIBUTING): _distributing,
    (ValueType.COMMAND_DISTRIBUTION, CommandDistributionIntent.ACKNOWLEDGED): _acknowledged,
}
