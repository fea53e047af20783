"""Value types and intents carry Zeebe's names, split into commands and events as Zeebe does."""

from __future__ import annotations

import pytest

from broker.protocol import (
    InvalidIntentError,
    RejectionType,
    UnknownValueTypeError,
    ValueType,
    command_intents,
    decode_record,
    event_intents,
    intents_for,
    parse_intent,
)
from broker.protocol.intents import JobIntent, ProcessInstanceIntent, VariableIntent
from broker.protocol.values import CommandDistributionRecordValue

# Names a Zeebe user expects to find; taken from Zeebe's *Intent enums.
ZEEBE_NAMES: dict[ValueType, set[str]] = {
    ValueType.DEPLOYMENT: {"CREATE", "CREATED", "DISTRIBUTE", "DISTRIBUTED", "FULLY_DISTRIBUTED"},
    ValueType.PROCESS: {"CREATED", "DELETED"},
    ValueType.PROCESS_INSTANCE: {
        "CANCEL",
        "ACTIVATE_ELEMENT",
        "COMPLETE_ELEMENT",
        "TERMINATE_ELEMENT",
        "SEQUENCE_FLOW_TAKEN",
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
        "ELEMENT_TERMINATING",
        "ELEMENT_TERMINATED",
    },
    ValueType.PROCESS_INSTANCE_CREATION: {"CREATE", "CREATE_WITH_AWAITING_RESULT", "CREATED"},
    ValueType.PROCESS_INSTANCE_RESULT: {"COMPLETED"},
    ValueType.JOB: {
        "CREATED",
        "COMPLETE",
        "COMPLETED",
        "TIME_OUT",
        "TIMED_OUT",
        "FAIL",
        "FAILED",
        "UPDATE_RETRIES",
        "RETRIES_UPDATED",
        "CANCELED",
        "THROW_ERROR",
        "ERROR_THROWN",
        "RECUR_AFTER_BACKOFF",
        "RECURRED_AFTER_BACKOFF",
        "YIELD",
        "YIELDED",
        "UPDATE_TIMEOUT",
        "TIMEOUT_UPDATED",
        "MIGRATED",
    },
    ValueType.JOB_BATCH: {"ACTIVATE", "ACTIVATED"},
    ValueType.INCIDENT: {"CREATED", "RESOLVE", "RESOLVED"},
    ValueType.MESSAGE: {"PUBLISH", "PUBLISHED", "EXPIRE", "EXPIRED"},
    ValueType.MESSAGE_SUBSCRIPTION: {
        "CREATE",
        "CREATED",
        "CORRELATE",
        "CORRELATED",
        "CORRELATING",
        "REJECT",
        "REJECTED",
        "DELETE",
        "DELETED",
    },
    ValueType.PROCESS_MESSAGE_SUBSCRIPTION: {
        "CREATE",
        "CREATING",
        "CREATED",
        "CORRELATE",
        "CORRELATED",
        "DELETE",
        "DELETING",
        "DELETED",
    },
    ValueType.MESSAGE_START_EVENT_SUBSCRIPTION: {"CREATED", "CORRELATED", "DELETED"},
    ValueType.TIMER: {"CREATED", "TRIGGER", "TRIGGERED", "CANCELED"},
    ValueType.VARIABLE: {"CREATED", "UPDATED"},
    ValueType.VARIABLE_DOCUMENT: {"UPDATE", "UPDATED"},
    ValueType.PROCESS_EVENT: {"TRIGGERING", "TRIGGERED"},
    ValueType.ERROR: {"CREATED"},
    ValueType.SIGNAL: {"BROADCAST", "BROADCASTED"},
    ValueType.SIGNAL_SUBSCRIPTION: {"CREATED", "DELETED"},
    ValueType.ESCALATION: {"ESCALATED", "NOT_ESCALATED"},
    ValueType.COMMAND_DISTRIBUTION: {
        "STARTED",
        "DISTRIBUTING",
        "ACKNOWLEDGE",
        "ACKNOWLEDGED",
        "FINISHED",
    },
    ValueType.MESSAGE_BATCH: {"EXPIRE"},
    ValueType.USER_TASK: {
        "CREATING",
        "CREATED",
        "ASSIGN",
        "ASSIGNING",
        "ASSIGNED",
        "CLAIM",
        "CLAIMING",
        "UPDATE",
        "UPDATING",
        "UPDATED",
        "COMPLETE",
        "COMPLETING",
        "COMPLETED",
        "CANCELING",
        "CANCELED",
    },
    ValueType.FORM: {"CREATED", "DELETED"},
    ValueType.MESSAGE_CORRELATION: {"CORRELATE", "CORRELATING", "CORRELATED", "NOT_CORRELATED"},
    ValueType.DECISION: {"CREATED", "DELETED"},
    ValueType.DECISION_REQUIREMENTS: {"CREATED", "DELETED"},
    ValueType.DECISION_EVALUATION: {"EVALUATE", "EVALUATED", "FAILED"},
    ValueType.PROCESS_INSTANCE_MIGRATION: {"MIGRATE", "MIGRATED"},
    ValueType.PROCESS_INSTANCE_MODIFICATION: {"MODIFY", "MODIFIED"},
    ValueType.RESOURCE_DELETION: {"DELETE", "DELETING", "DELETED"},
}


def test_every_value_type_has_its_zeebe_intents() -> None:
    assert set(ZEEBE_NAMES) == set(ValueType)
    for value_type, names in ZEEBE_NAMES.items():
        assert names <= {i.value for i in intents_for(value_type)}, value_type


def test_intent_values_are_their_names() -> None:
    for value_type in ValueType:
        for intent in intents_for(value_type):
            assert intent.value == intent.name


def test_rejection_types_are_zeebes() -> None:
    assert [t.value for t in RejectionType] == [
        "NULL_VAL",
        "INVALID_ARGUMENT",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "INVALID_STATE",
        "PROCESSING_ERROR",
        "EXCEEDED_BATCH_RECORD_SIZE",
        "UNAUTHORIZED",
        "FORBIDDEN",
    ]


def test_commands_and_events_are_split_as_in_zeebe() -> None:
    assert JobIntent.COMPLETE.is_command and not JobIntent.COMPLETE.is_event
    assert JobIntent.COMPLETED.is_event
    assert JobIntent.TIME_OUT.is_command  # written by the engine's deadline checker
    assert ProcessInstanceIntent.ACTIVATE_ELEMENT.is_command
    assert ProcessInstanceIntent.ELEMENT_ACTIVATED.is_event
    assert command_intents(ValueType.VARIABLE) == ()
    assert event_intents(ValueType.VARIABLE) == tuple(VariableIntent)
    for value_type in ValueType:
        split = set(command_intents(value_type)) | set(event_intents(value_type))
        assert split == set(intents_for(value_type))


def test_parse_intent_returns_the_member() -> None:
    assert parse_intent(ValueType.JOB, "FAIL") is JobIntent.FAIL


def test_parse_intent_rejects_an_intent_of_another_value_type() -> None:
    with pytest.raises(InvalidIntentError) as error:
        parse_intent(ValueType.VARIABLE, "ELEMENT_ACTIVATED")
    assert error.value.value_type == "VARIABLE"
    assert "valueType VARIABLE" in str(error.value)


def test_unknown_value_type_has_no_intents() -> None:
    with pytest.raises(UnknownValueTypeError):
        intents_for("AUTHORIZATION")  # type: ignore[arg-type]


def test_command_distribution_checks_the_wrapped_names() -> None:
    CommandDistributionRecordValue(value_type="DEPLOYMENT", intent="CREATE")
    with pytest.raises(UnknownValueTypeError):
        CommandDistributionRecordValue(value_type="NOPE")
    with pytest.raises(InvalidIntentError, match="DEPLOYMENT"):
        CommandDistributionRecordValue(value_type="DEPLOYMENT", intent="TRIGGER")
    with pytest.raises(InvalidIntentError):
        decode_record(
            b'{"recordType":"COMMAND","valueType":"COMMAND_DISTRIBUTION","intent":"ACKNOWLEDGE",'
            b'"value":{"valueType":"JOB","intent":"ELEMENT_ACTIVATED"}}'
        )
