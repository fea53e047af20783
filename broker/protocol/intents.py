"""Intents per value type, with Zeebe's names, and which of them are commands.

An intent says what a record asks for (a command: `COMPLETE`) or reports (an event:
`COMPLETED`). Each value type has its own enum; member names are Zeebe's `*Intent` constants,
including those Honeyflow does not write yet, so records stay readable by Zeebe tooling and
the names are reserved. A COMMAND or COMMAND_REJECTION carries a command intent, an EVENT an
event intent, as Zeebe's `Intent.isEvent()` splits them.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import TypeAlias

from broker.protocol.errors import InvalidIntentError, UnknownValueTypeError
from broker.protocol.value_types import ValueType


class _IntentEnum(StrEnum):
    """Base of every intent enum; knows whether a member is an event."""

    @property
    def is_event(self) -> bool:
        return self not in _COMMANDS[type(self)]

    @property
    def is_command(self) -> bool:
        return self in _COMMANDS[type(self)]


class DeploymentIntent(_IntentEnum):
    CREATE = "CREATE"
    CREATED = "CREATED"
    REQUEST = "REQUEST"
    REDEPLOY = "REDEPLOY"
    DISTRIBUTE = "DISTRIBUTE"
    DISTRIBUTED = "DISTRIBUTED"
    FULLY_DISTRIBUTED = "FULLY_DISTRIBUTED"


class ProcessIntent(_IntentEnum):
    CREATED = "CREATED"
    DELETING = "DELETING"
    DELETED = "DELETED"
    DRAINING = "DRAINING"
    DELETE_COMPLETE = "DELETE_COMPLETE"
    DELETE_COMPLETED = "DELETE_COMPLETED"
    FULLY_DELETED = "FULLY_DELETED"


class ProcessInstanceIntent(_IntentEnum):
    CANCEL = "CANCEL"
    SEQUENCE_FLOW_TAKEN = "SEQUENCE_FLOW_TAKEN"
    ELEMENT_ACTIVATING = "ELEMENT_ACTIVATING"
    ELEMENT_ACTIVATED = "ELEMENT_ACTIVATED"
    ELEMENT_COMPLETING = "ELEMENT_COMPLETING"
    ELEMENT_COMPLETED = "ELEMENT_COMPLETED"
    ELEMENT_TERMINATING = "ELEMENT_TERMINATING"
    ELEMENT_TERMINATED = "ELEMENT_TERMINATED"
    ACTIVATE_ELEMENT = "ACTIVATE_ELEMENT"
    COMPLETE_ELEMENT = "COMPLETE_ELEMENT"
    TERMINATE_ELEMENT = "TERMINATE_ELEMENT"
    ELEMENT_MIGRATED = "ELEMENT_MIGRATED"
    COMPLETE_EXECUTION_LISTENER = "COMPLETE_EXECUTION_LISTENER"
    ANCESTOR_MIGRATED = "ANCESTOR_MIGRATED"
    CONTINUE_TERMINATING_ELEMENT = "CONTINUE_TERMINATING_ELEMENT"
    SEQUENCE_FLOW_DELETED = "SEQUENCE_FLOW_DELETED"
    CANCELING = "CANCELING"
    SUSPEND = "SUSPEND"
    SUSPENDED = "SUSPENDED"
    RESUME = "RESUME"
    RESUMED = "RESUMED"
    RESUMING = "RESUMING"


class ProcessInstanceCreationIntent(_IntentEnum):
    CREATE = "CREATE"
    CREATED = "CREATED"
    CREATE_WITH_AWAITING_RESULT = "CREATE_WITH_AWAITING_RESULT"


class ProcessInstanceResultIntent(_IntentEnum):
    COMPLETED = "COMPLETED"


class ProcessEventIntent(_IntentEnum):
    TRIGGERING = "TRIGGERING"
    TRIGGERED = "TRIGGERED"


class JobIntent(_IntentEnum):
    CREATED = "CREATED"
    COMPLETE = "COMPLETE"
    COMPLETED = "COMPLETED"
    TIME_OUT = "TIME_OUT"
    TIMED_OUT = "TIMED_OUT"
    FAIL = "FAIL"
    FAILED = "FAILED"
    UPDATE_RETRIES = "UPDATE_RETRIES"
    RETRIES_UPDATED = "RETRIES_UPDATED"
    CANCEL = "CANCEL"
    CANCELED = "CANCELED"
    THROW_ERROR = "THROW_ERROR"
    ERROR_THROWN = "ERROR_THROWN"
    RECUR_AFTER_BACKOFF = "RECUR_AFTER_BACKOFF"
    RECURRED_AFTER_BACKOFF = "RECURRED_AFTER_BACKOFF"
    YIELD = "YIELD"
    YIELDED = "YIELDED"
    UPDATE_TIMEOUT = "UPDATE_TIMEOUT"
    TIMEOUT_UPDATED = "TIMEOUT_UPDATED"
    MIGRATED = "MIGRATED"
    UPDATE = "UPDATE"


class JobBatchIntent(_IntentEnum):
    ACTIVATE = "ACTIVATE"
    ACTIVATED = "ACTIVATED"
    ACKNOWLEDGE = "ACKNOWLEDGE"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    REJECT = "REJECT"
    REJECTED = "REJECTED"


class IncidentIntent(_IntentEnum):
    CREATED = "CREATED"
    RESOLVE = "RESOLVE"
    RESOLVED = "RESOLVED"
    MIGRATED = "MIGRATED"


class MessageIntent(_IntentEnum):
    PUBLISH = "PUBLISH"
    PUBLISHED = "PUBLISHED"
    EXPIRE = "EXPIRE"
    EXPIRED = "EXPIRED"


class MessageBatchIntent(_IntentEnum):
    EXPIRE = "EXPIRE"


class MessageCorrelationIntent(_IntentEnum):
    CORRELATE = "CORRELATE"
    CORRELATING = "CORRELATING"
    CORRELATED = "CORRELATED"
    NOT_CORRELATED = "NOT_CORRELATED"


class MessageSubscriptionIntent(_IntentEnum):
    CREATE = "CREATE"
    CREATED = "CREATED"
    CORRELATING = "CORRELATING"
    CORRELATE = "CORRELATE"
    CORRELATED = "CORRELATED"
    REJECT = "REJECT"
    REJECTED = "REJECTED"
    DELETE = "DELETE"
    DELETED = "DELETED"
    MIGRATE = "MIGRATE"
    MIGRATED = "MIGRATED"


class ProcessMessageSubscriptionIntent(_IntentEnum):
    CREATING = "CREATING"
    CREATE = "CREATE"
    CREATED = "CREATED"
    CORRELATE = "CORRELATE"
    CORRELATED = "CORRELATED"
    DELETING = "DELETING"
    DELETE = "DELETE"
    DELETED = "DELETED"
    MIGRATING = "MIGRATING"
    MIGRATE = "MIGRATE"
    MIGRATED = "MIGRATED"


class MessageStartEventSubscriptionIntent(_IntentEnum):
    CREATED = "CREATED"
    CORRELATED = "CORRELATED"
    DELETED = "DELETED"


class TimerIntent(_IntentEnum):
    CREATED = "CREATED"
    TRIGGER = "TRIGGER"
    TRIGGERED = "TRIGGERED"
    CANCEL = "CANCEL"
    CANCELED = "CANCELED"
    MIGRATED = "MIGRATED"


class VariableIntent(_IntentEnum):
    CREATING = "CREATING"
    CREATED = "CREATED"
    UPDATING = "UPDATING"
    UPDATED = "UPDATED"
    MIGRATED = "MIGRATED"


class VariableDocumentIntent(_IntentEnum):
    UPDATE = "UPDATE"
    UPDATED = "UPDATED"
    UPDATING = "UPDATING"


class ErrorIntent(_IntentEnum):
    CREATED = "CREATED"


class SignalIntent(_IntentEnum):
    BROADCAST = "BROADCAST"
    BROADCASTED = "BROADCASTED"


class SignalSubscriptionIntent(_IntentEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class EscalationIntent(_IntentEnum):
    ESCALATED = "ESCALATED"
    NOT_ESCALATED = "NOT_ESCALATED"


class CommandDistributionIntent(_IntentEnum):
    STARTED = "STARTED"
    DISTRIBUTING = "DISTRIBUTING"
    ACKNOWLEDGE = "ACKNOWLEDGE"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    FINISHED = "FINISHED"
    ENQUEUED = "ENQUEUED"
    CONTINUATION_REQUESTED = "CONTINUATION_REQUESTED"
    CONTINUATION_COMPLETED = "CONTINUATION_COMPLETED"
    FINISH = "FINISH"


class DecisionIntent(_IntentEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class DecisionRequirementsIntent(_IntentEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class DecisionEvaluationIntent(_IntentEnum):
    EVALUATED = "EVALUATED"
    FAILED = "FAILED"
    EVALUATE = "EVALUATE"


class UserTaskIntent(_IntentEnum):
    """Zeebe 8.8's user task intents (task listeners' intents reserved, not written)."""

    CREATING = "CREATING"
    CREATED = "CREATED"
    COMPLETE = "COMPLETE"
    COMPLETING = "COMPLETING"
    COMPLETED = "COMPLETED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    ASSIGN = "ASSIGN"
    ASSIGNING = "ASSIGNING"
    ASSIGNED = "ASSIGNED"
    CLAIM = "CLAIM"
    UPDATE = "UPDATE"
    UPDATING = "UPDATING"
    UPDATED = "UPDATED"
    MIGRATED = "MIGRATED"
    COMPLETE_TASK_LISTENER = "COMPLETE_TASK_LISTENER"
    DENY_TASK_LISTENER = "DENY_TASK_LISTENER"
    COMPLETION_DENIED = "COMPLETION_DENIED"
    CORRECTED = "CORRECTED"
    ASSIGNMENT_DENIED = "ASSIGNMENT_DENIED"
    CLAIMING = "CLAIMING"
    UPDATE_DENIED = "UPDATE_DENIED"
    CREATE = "CREATE"
    CANCEL = "CANCEL"


class FormIntent(_IntentEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class ProcessInstanceMigrationIntent(_IntentEnum):
    MIGRATE = "MIGRATE"
    MIGRATED = "MIGRATED"


class ProcessInstanceModificationIntent(_IntentEnum):
    MODIFY = "MODIFY"
    MODIFIED = "MODIFIED"


class ResourceDeletionIntent(_IntentEnum):
    DELETE = "DELETE"
    DELETING = "DELETING"
    DELETED = "DELETED"


Intent: TypeAlias = (
    DeploymentIntent
    | ProcessIntent
    | ProcessInstanceIntent
    | ProcessInstanceCreationIntent
    | ProcessInstanceResultIntent
    | ProcessEventIntent
    | JobIntent
    | JobBatchIntent
    | IncidentIntent
    | MessageIntent
    | MessageBatchIntent
    | MessageCorrelationIntent
    | MessageSubscriptionIntent
    | ProcessMessageSubscriptionIntent
    | MessageStartEventSubscriptionIntent
    | TimerIntent
    | VariableIntent
    | VariableDocumentIntent
    | ErrorIntent
    | SignalIntent
    | SignalSubscriptionIntent
    | EscalationIntent
    | CommandDistributionIntent
    | DecisionIntent
    | DecisionRequirementsIntent
    | DecisionEvaluationIntent
    | UserTaskIntent
    | FormIntent
    | ProcessInstanceMigrationIntent
    | ProcessInstanceModificationIntent
    | ResourceDeletionIntent
)

_INTENTS_BY_VALUE_TYPE: MappingProxyType[ValueType, type[_IntentEnum]] = MappingProxyType(
    {
        ValueType.DEPLOYMENT: DeploymentIntent,
        ValueType.PROCESS: ProcessIntent,
        ValueType.PROCESS_INSTANCE: ProcessInstanceIntent,
        ValueType.PROCESS_INSTANCE_CREATION: ProcessInstanceCreationIntent,
        ValueType.PROCESS_INSTANCE_RESULT: ProcessInstanceResultIntent,
        ValueType.PROCESS_EVENT: ProcessEventIntent,
        ValueType.JOB: JobIntent,
        ValueType.JOB_BATCH: JobBatchIntent,
        ValueType.INCIDENT: IncidentIntent,
        ValueType.MESSAGE: MessageIntent,
        ValueType.MESSAGE_BATCH: MessageBatchIntent,
        ValueType.MESSAGE_CORRELATION: MessageCorrelationIntent,
        ValueType.MESSAGE_SUBSCRIPTION: MessageSubscriptionIntent,
        ValueType.PROCESS_MESSAGE_SUBSCRIPTION: ProcessMessageSubscriptionIntent,
        ValueType.MESSAGE_START_EVENT_SUBSCRIPTION: MessageStartEventSubscriptionIntent,
        ValueType.TIMER: TimerIntent,
        ValueType.VARIABLE: VariableIntent,
        ValueType.VARIABLE_DOCUMENT: VariableDocumentIntent,
        ValueType.ERROR: ErrorIntent,
        ValueType.SIGNAL: SignalIntent,
        ValueType.SIGNAL_SUBSCRIPTION: SignalSubscriptionIntent,
        ValueType.ESCALATION: EscalationIntent,
        ValueType.COMMAND_DISTRIBUTION: CommandDistributionIntent,
        ValueType.DECISION: DecisionIntent,
        ValueType.DECISION_REQUIREMENTS: DecisionRequirementsIntent,
        ValueType.DECISION_EVALUATION: DecisionEvaluationIntent,
        ValueType.USER_TASK: UserTaskIntent,
        ValueType.FORM: FormIntent,
        ValueType.PROCESS_INSTANCE_MIGRATION: ProcessInstanceMigrationIntent,
        ValueType.PROCESS_INSTANCE_MODIFICATION: ProcessInstanceModificationIntent,
        ValueType.RESOURCE_DELETION: ResourceDeletionIntent,
    }
)

# The command intents of each enum (Zeebe: `isEvent() == false`); every other member is an event.
_COMMANDS: dict[type[_IntentEnum], frozenset[_IntentEnum]] = {
    DeploymentIntent: frozenset(
        {
            DeploymentIntent.CREATE,
            DeploymentIntent.REQUEST,
            DeploymentIntent.REDEPLOY,
            DeploymentIntent.DISTRIBUTE,
        }
    ),
    ProcessIntent: frozenset({ProcessIntent.DELETE_COMPLETE}),
    ProcessInstanceIntent: frozenset(
        {
            ProcessInstanceIntent.CANCEL,
            ProcessInstanceIntent.ACTIVATE_ELEMENT,
            ProcessInstanceIntent.COMPLETE_ELEMENT,
            ProcessInstanceIntent.TERMINATE_ELEMENT,
            ProcessInstanceIntent.COMPLETE_EXECUTION_LISTENER,
            ProcessInstanceIntent.CONTINUE_TERMINATING_ELEMENT,
            ProcessInstanceIntent.SUSPEND,
            ProcessInstanceIntent.RESUME,
        }
    ),
    ProcessInstanceCreationIntent: frozenset(
        {
            ProcessInstanceCreationIntent.CREATE,
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
        }
    ),
    ProcessInstanceResultIntent: frozenset(),
    ProcessEventIntent: frozenset(),
    JobIntent: frozenset(
        {
            JobIntent.COMPLETE,
            JobIntent.TIME_OUT,
            JobIntent.FAIL,
            JobIntent.UPDATE_RETRIES,
            JobIntent.CANCEL,
            JobIntent.THROW_ERROR,
            JobIntent.RECUR_AFTER_BACKOFF,
            JobIntent.YIELD,
            JobIntent.UPDATE_TIMEOUT,
            JobIntent.UPDATE,
        }
    ),
    JobBatchIntent: frozenset(
        {JobBatchIntent.ACTIVATE, JobBatchIntent.ACKNOWLEDGE, JobBatchIntent.REJECT}
    ),
    IncidentIntent: frozenset({IncidentIntent.RESOLVE}),
    MessageIntent: frozenset({MessageIntent.PUBLISH, MessageIntent.EXPIRE}),
    MessageBatchIntent: frozenset({MessageBatchIntent.EXPIRE}),
    MessageCorrelationIntent: frozenset({MessageCorrelationIntent.CORRELATE}),
    MessageSubscriptionIntent: frozenset(
        {
            MessageSubscriptionIntent.CREATE,
            MessageSubscriptionIntent.CORRELATE,
            MessageSubscriptionIntent.REJECT,
            MessageSubscriptionIntent.DELETE,
            MessageSubscriptionIntent.MIGRATE,
        }
    ),
    ProcessMessageSubscriptionIntent: frozenset(
        {
            ProcessMessageSubscriptionIntent.CREATE,
            ProcessMessageSubscriptionIntent.CORRELATE,
            ProcessMessageSubscriptionIntent.DELETE,
            ProcessMessageSubscriptionIntent.MIGRATE,
        }
    ),
    MessageStartEventSubscriptionIntent: frozenset(),
    TimerIntent: frozenset({TimerIntent.TRIGGER, TimerIntent.CANCEL}),
    VariableIntent: frozenset(),
    VariableDocumentIntent: frozenset({VariableDocumentIntent.UPDATE}),
    ErrorIntent: frozenset(),
    SignalIntent: frozenset({SignalIntent.BROADCAST}),
    SignalSubscriptionIntent: frozenset(),
    EscalationIntent: frozenset(),
    CommandDistributionIntent: frozenset(
        {CommandDistributionIntent.ACKNOWLEDGE, CommandDistributionIntent.FINISH}
    ),
    DecisionIntent: frozenset(),
    DecisionRequirementsIntent: frozenset(),
    DecisionEvaluationIntent: frozenset({DecisionEvaluationIntent.EVALUATE}),
    UserTaskIntent: frozenset(
        {
            UserTaskIntent.COMPLETE,
            UserTaskIntent.ASSIGN,
            UserTaskIntent.CLAIM,
            UserTaskIntent.UPDATE,
            UserTaskIntent.COMPLETE_TASK_LISTENER,
            UserTaskIntent.DENY_TASK_LISTENER,
            UserTaskIntent.CREATE,
            UserTaskIntent.CANCEL,
        }
    ),
    FormIntent: frozenset(),
    ProcessInstanceMigrationIntent: frozenset({ProcessInstanceMigrationIntent.MIGRATE}),
    ProcessInstanceModificationIntent: frozenset({ProcessInstanceModificationIntent.MODIFY}),
    ResourceDeletionIntent: frozenset({ResourceDeletionIntent.DELETE}),
}

# Parsing is on the decode hot path: one dict lookup per record instead of Enum.__call__.
_PARSE: dict[ValueType, dict[str, _IntentEnum]] = {
    value_type: {member.value: member for member in enum}
    for value_type, enum in _INTENTS_BY_VALUE_TYPE.items()
}


def intents_for(value_type: ValueType) -> type[_IntentEnum]:
    """The intent enum of a value type."""
    try:
        return _INTENTS_BY_VALUE_TYPE[value_type]
    except KeyError:
        raise UnknownValueTypeError(value_type) from None


def parse_intent(value_type: ValueType, name: str) -> Intent:
    """The intent called `name` of `value_type`; `InvalidIntentError` names both otherwise."""
    try:
        by_name = _PARSE[value_type]
    except KeyError:
        raise UnknownValueTypeError(value_type) from None
    intent = by_name.get(name) if isinstance(name, str) else None
    if intent is None:
        raise InvalidIntentError(
            value_type.value,
            name,
            f"intent {name!r} is not valid for valueType {value_type.value}; "
            f"expected one of {', '.join(by_name)}",
        )
    return intent  # type: ignore[return-value]


def command_intents(value_type: ValueType) -> tuple[Intent, ...]:
    """The intents a COMMAND (or COMMAND_REJECTION) of `value_type` may carry, in Zeebe's order."""
    enum = intents_for(value_type)
    return tuple(i for i in enum if i.is_command)  # type: ignore[misc]


def event_intents(value_type: ValueType) -> tuple[Intent, ...]:
    """The intents an EVENT of `value_type` may carry, in Zeebe's order."""
    enum = intents_for(value_type)
    return tuple(i for i in enum if i.is_event)  # type: ignore[misc]
