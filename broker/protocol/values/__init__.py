"""The typed record values, one frozen dataclass per value type, and their registry."""

from __future__ import annotations

from types import MappingProxyType

from broker.protocol.errors import UnknownValueTypeError
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import DEFAULT_TENANT_ID, RecordValue, ValueObject
from broker.protocol.values.bpmn_kinds import BpmnElementType, BpmnEventType
from broker.protocol.values.command_distribution import CommandDistributionRecordValue
from broker.protocol.values.decision import (
    DecisionEvaluationRecordValue,
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
)
from broker.protocol.values.deployment import (
    DeploymentRecordValue,
    DeploymentResource,
    ProcessMetadata,
    ProcessRecordValue,
)
from broker.protocol.values.error import ErrorRecordValue
from broker.protocol.values.escalation import EscalationRecordValue
from broker.protocol.values.form import FormMetadata, FormRecordValue
from broker.protocol.values.incident import JOB_RETRIES_ERRORS, ErrorType, IncidentRecordValue
from broker.protocol.values.job import (
    JobBatchRecordValue,
    JobKind,
    JobListenerEventType,
    JobRecordValue,
)
from broker.protocol.values.message import (
    MessageBatchRecordValue,
    MessageCorrelationRecordValue,
    MessageRecordValue,
    MessageStartEventSubscriptionRecordValue,
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from broker.protocol.values.migration import (
    MappingInstruction,
    ProcessInstanceMigrationRecordValue,
)
from broker.protocol.values.modification import (
    ModificationActivateInstruction,
    ModificationTerminateInstruction,
    ModificationVariableInstruction,
    ProcessInstanceModificationRecordValue,
)
from broker.protocol.values.process_instance import (
    ProcessEventRecordValue,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
    ProcessInstanceResultRecordValue,
    StartInstruction,
)
from broker.protocol.values.resource_deletion import ResourceDeletionRecordValue
from broker.protocol.values.signal import SignalRecordValue, SignalSubscriptionRecordValue
from broker.protocol.values.timer import TimerRecordValue
from broker.protocol.values.user_task import UserTaskRecordValue
from broker.protocol.values.variable import (
    VariableDocumentRecordValue,
    VariableDocumentUpdateSemantic,
    VariableRecordValue,
)

_ALL: tuple[type[RecordValue], ...] = (
    DeploymentRecordValue,
    ProcessRecordValue,
    ProcessInstanceRecordValue,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceResultRecordValue,
    ProcessEventRecordValue,
    JobRecordValue,
    JobBatchRecordValue,
    IncidentRecordValue,
    MessageRecordValue,
    MessageBatchRecordValue,
    MessageCorrelationRecordValue,
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
    MessageStartEventSubscriptionRecordValue,
    TimerRecordValue,
    VariableRecordValue,
    VariableDocumentRecordValue,
    ErrorRecordValue,
    SignalRecordValue,
    SignalSubscriptionRecordValue,
    EscalationRecordValue,
    CommandDistributionRecordValue,
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    DecisionEvaluationRecordValue,
    UserTaskRecordValue,
    FormRecordValue,
    ProcessInstanceMigrationRecordValue,
    ProcessInstanceModificationRecordValue,
    ResourceDeletionRecordValue,
)

VALUE_CLASSES: MappingProxyType[ValueType, type[RecordValue]] = MappingProxyType(
    {cls.VALUE_TYPE: cls for cls in sorted(_ALL, key=lambda c: list(ValueType).index(c.VALUE_TYPE))}
)
"""The value class of every value type, in `ValueType` order."""

assert set(VALUE_CLASSES) == set(ValueType), "every value type needs a value class"


def value_class_for(value_type: ValueType) -> type[RecordValue]:
    try:
        return VALUE_CLASSES[value_type]
    except KeyError:
        raise UnknownValueTypeError(value_type) from None


__all__ = [
    "DEFAULT_TENANT_ID",
    "JOB_RETRIES_ERRORS",
    "VALUE_CLASSES",
    "BpmnElementType",
    "BpmnEventType",
    "CommandDistributionRecordValue",
    "DecisionEvaluationRecordValue",
    "DecisionRecordValue",
    "DecisionRequirementsRecordValue",
    "DeploymentRecordValue",
    "DeploymentResource",
    "ErrorRecordValue",
    "ErrorType",
    "EscalationRecordValue",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "FormMetadata",
    "FormRecordValue",
    "IncidentRecordValue",
    "JobBatchRecordValue",
    "JobKind",
    "JobListenerEventType",
    "JobRecordValue",
    "MappingInstruction",
    "MatchedRule",
    "MessageBatchRecordValue",
    "MessageCorrelationRecordValue",
    "MessageRecordValue",
    "MessageStartEventSubscriptionRecordValue",
    "MessageSubscriptionRecordValue",
    "ModificationActivateInstruction",
    "ModificationTerminateInstruction",
    "ModificationVariableInstruction",
    "ProcessEventRecordValue",
    "ProcessInstanceCreationRecordValue",
    "ProcessInstanceMigrationRecordValue",
    "ProcessInstanceModificationRecordValue",
    "ProcessInstanceRecordValue",
    "ProcessInstanceResultRecordValue",
    "ProcessMessageSubscriptionRecordValue",
    "ProcessMetadata",
    "ProcessRecordValue",
    "RecordValue",
    "ResourceDeletionRecordValue",
    "SignalRecordValue",
    "SignalSubscriptionRecordValue",
    "StartInstruction",
    "TimerRecordValue",
    "UserTaskRecordValue",
    "ValueObject",
    "VariableDocumentRecordValue",
    "VariableDocumentUpdateSemantic",
    "VariableRecordValue",
    "value_class_for",
]
