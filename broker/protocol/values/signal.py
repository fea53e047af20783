"""Values of signals (broadcast to every waiting catch event) and their subscriptions."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)


@dataclass(frozen=True, slots=True)
class SignalRecordValue(RecordValue):
    """A broadcast signal."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.SIGNAL
    SCHEMA_NAME: ClassVar[str] = "signal"

    signal_name: str = prop("The signal name.", default="")
    variables: dict[str, Any] = variables_prop("Variables the signal sets where it is caught.")
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class SignalSubscriptionRecordValue(RecordValue):
    """A catch event or start event waiting for a signal."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.SIGNAL_SUBSCRIPTION
    SCHEMA_NAME: ClassVar[str] = "signal-subscription"

    process_definition_key: int = key_prop("The key of the deployed process.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    catch_event_id: str = prop("The BPMN id of the catching event.", default="")
    catch_event_instance_key: int = key_prop(
        "The waiting element instance; `-1` for a signal start event."
    )
    signal_name: str = prop("The awaited signal name.", default="")
    tenant_id: str = tenant_prop()
