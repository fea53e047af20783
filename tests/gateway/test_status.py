"""How the gateway reports errors: Zeebe's gateway's status codes and message for each
rejection type, time-outs, Kafka out of reach or overloaded, and bad variables."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from broker.protocol import Record, RejectionType
from broker.protocol.intents import ProcessInstanceCreationIntent
from broker.protocol.values import ProcessInstanceCreationRecordValue
from clients.arguments import Arguments
from clients.errors import (
    ConnectError,
    InvalidArgumentError,
    NotFoundError,
    RequestTimeoutError,
    rejection_error,
)
from clients.gateway.messages import fetched, variables
from clients.gateway.status import GatewayError, check_answer, error_status, rejection_status
from clients.kafka_offsets import KafkaReadError


@pytest.mark.parametrize(
    ("rejection", "code"),
    [
        ("NOT_FOUND", grpc.StatusCode.NOT_FOUND),
        ("INVALID_STATE", grpc.StatusCode.FAILED_PRECONDITION),
        ("INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT),
        ("ALREADY_EXISTS", grpc.StatusCode.ALREADY_EXISTS),
        ("PROCESSING_ERROR", grpc.StatusCode.UNKNOWN),
    ],
)
def test_rejection_types_map_to_zeebe_status_codes(rejection: str, code: grpc.StatusCode) -> None:
    status = rejection_status("CREATE", rejection, "why")
    assert status.code == code
    assert status.message == f"Command 'CREATE' rejected with code '{rejection}': why"


def test_a_rejection_record_becomes_its_status() -> None:
    command: Record[Any] = Record.command(
        ProcessInstanceCreationIntent.CREATE,
        ProcessInstanceCreationRecordValue(bpmn_process_id="order"),
    )
    with pytest.raises(GatewayError) as raised:
        check_answer(command.reject(RejectionType.INVALID_STATE, "no none start event"))
    assert raised.value.status.code == grpc.StatusCode.FAILED_PRECONDITION
    assert raised.value.status.message == (
        "Command 'CREATE' rejected with code 'INVALID_STATE': no none start event"
    )


def test_a_rejected_client_call_names_the_intent_type_and_reason() -> None:
    reason = "Expected to find process definition with process ID 'order', but none found"
    error = rejection_error("NOT_FOUND", reason, "PROCESS_INSTANCE_CREATION CREATE")
    status = error_status(error)
    assert status.code == grpc.StatusCode.NOT_FOUND
    assert status.message == f"Command 'CREATE' rejected with code 'NOT_FOUND': {reason}"
    assert isinstance(error, NotFoundError)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RequestTimeoutError("no answer within 30 s"), grpc.StatusCode.DEADLINE_EXCEEDED),
        (ConnectError("cannot reach Kafka at x:1"), grpc.StatusCode.UNAVAILABLE),
        (
            KafkaReadError("JOB COMPLETE 1: Local: Broker transport failure"),
            grpc.StatusCode.UNAVAILABLE,
        ),
        (KafkaReadError("JOB COMPLETE 1: Local: Queue full"), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (BufferError("Local: Queue full"), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (ValueError("a defect"), grpc.StatusCode.INTERNAL),
    ],
)
def test_failures_map_to_status_codes(error: Exception, code: grpc.StatusCode) -> None:
    assert error_status(error).code == code


def test_an_argument_the_client_refuses_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        Arguments("create_instance").key("processDefinitionKey", -5)
    status = error_status(raised.value)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "processDefinitionKey" in status.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1, 2]", "Expected document to be a root level object, but was 'ARRAY'"),
        ('"x"', "Expected document to be a root level object, but was 'STR'"),
        ("{", "Expected document to be valid JSON"),
        ('{"x": NaN}', "x"),
    ],
)
def test_variables_that_are_no_json_object_are_invalid_argument(text: str, problem: str) -> None:
    with pytest.raises(GatewayError) as raised:
        variables("complete_job", text)
    assert raised.value.status.code == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.status.message.startswith("Property 'variables' is invalid: ")
    assert problem in raised.value.status.message


def test_variables_read_and_fetched() -> None:
    assert variables("complete_job", "") is None
    assert variables("complete_job", '{"a": 1, "b": [true]}') == {"a": 1, "b": [True]}
    assert fetched({"a": 1, "b": 2}, ["b", "c"]) == {"b": 2}
    assert fetched({"a": 1}, []) == {"a": 1}
