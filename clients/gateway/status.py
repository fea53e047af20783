"""Errors as Zeebe's gateway reports them: which gRPC status a refused or failed command gets,
and its message. A rejection reads `Command 'CREATE' rejected with code 'NOT_FOUND': ...`, as
Zeebe's gateway words it, so clients that match on the code or the text behave the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc

from broker.protocol import Record
from clients.errors import (
    ConnectError,
    HoneyflowError,
    InvalidArgumentError,
    RejectedError,
    RequestTimeoutError,
    ResourceError,
)
from clients.kafka_offsets import KafkaReadError

_BY_REJECTION: dict[str, grpc.StatusCode] = {
    "NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "INVALID_STATE": grpc.StatusCode.FAILED_PRECONDITION,
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "ALREADY_EXISTS": grpc.StatusCode.ALREADY_EXISTS,
    "UNAUTHORIZED": grpc.StatusCode.PERMISSION_DENIED,
    "FORBIDDEN": grpc.StatusCode.PERMISSION_DENIED,
}
"""Zeebe's gateway answers every other rejection type (PROCESSING_ERROR, ...) with UNKNOWN."""

_OVERLOAD_MARKERS = ("Queue full", "QUEUE_FULL", "BufferError")
"""How librdkafka says its producer queue is full: the gateway cannot take more now."""


@dataclass(frozen=True, slots=True)
class GatewayStatus:
    """The status and message a failed RPC ends with."""

    code: grpc.StatusCode
    message: str


class GatewayError(Exception):
    """An RPC that ends with `status` (raised by the handlers, turned into an abort)."""

    def __init__(self, status: GatewayStatus) -> None:
        super().__init__(status.message)
        self.status = status


def rejection_status(intent: str, rejection_type: str, reason: str) -> GatewayStatus:
    code = _BY_REJECTION.get(rejection_type, grpc.StatusCode.UNKNOWN)
    return GatewayStatus(
        code, f"Command '{intent}' rejected with code '{rejection_type}': {reason}"
    )


def check_answer(answer: Record[Any]) -> Record[Any]:
    """`answer` if it is an event; raises `GatewayError` for a rejection."""
    if answer.is_rejection:
        raise GatewayError(
            rejection_status(
                answer.intent.value, answer.rejection_type.value, answer.rejection_reason
            )
        )
    return answer


def invalid_argument(message: str) -> GatewayError:
    return GatewayError(GatewayStatus(grpc.StatusCode.INVALID_ARGUMENT, message))


def error_status(error: BaseException) -> GatewayStatus:
    """The status of an error a client call raised (or of a `GatewayError`)."""
    if isinstance(error, GatewayError):
        return error.status
    if isinstance(error, InvalidArgumentError) and error.argument is not None:
        return GatewayStatus(grpc.StatusCode.INVALID_ARGUMENT, str(error))
    if isinstance(error, RejectedError):
        intent = error.command.rsplit(" ", 1)[-1] if error.command else "UNKNOWN"
        return rejection_status(intent, error.rejection_type, error.reason)
    if isinstance(error, RequestTimeoutError):
        return GatewayStatus(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            f"Time out between gateway and engine: {error}",
        )
    if isinstance(error, ResourceError):
        return GatewayStatus(grpc.StatusCode.INVALID_ARGUMENT, str(error))
    if isinstance(error, (KafkaReadError, ConnectError, BufferError)):
        text = f"{type(error).__name__}: {error}"
        if isinstance(error, BufferError) or any(m in text for m in _OVERLOAD_MARKERS):
            return GatewayStatus(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"Expected to send the command to the engine, but Kafka is overloaded: {error}",
            )
        return GatewayStatus(
            grpc.StatusCode.UNAVAILABLE, f"Expected to reach Kafka, but it failed: {error}"
        )
    if isinstance(error, HoneyflowError):
        return GatewayStatus(grpc.StatusCode.INTERNAL, str(error))
    return GatewayStatus(
        grpc.StatusCode.INTERNAL, f"Unexpected error in the gateway: {type(error).__name__}"
    )
