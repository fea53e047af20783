"""The client's exception tree.

HoneyflowError
├── ConnectError          the URL cannot be served (unknown scheme, bad option)
├── ResourceError         a resource to deploy cannot be read
├── RequestTimeoutError   no answer in time (e.g. create-with-result)
├── DecisionEvaluationError  a decision was evaluated and failed: `.failed_decision_id`,
│                         `.failure_message`, `.result` (what was evaluated)
└── RejectedError         the command was refused: `.rejection_type`, `.reason`
    ├── NotFoundError         NOT_FOUND
    ├── InvalidArgumentError  INVALID_ARGUMENT, from the engine, or from the client before
    │                         anything was sent (a wrong argument: `.argument` names it)
    ├── InvalidStateError     INVALID_STATE
    ├── AlreadyExistsError    ALREADY_EXISTS
    └── ProcessingError       PROCESSING_ERROR (a defect; the command had no effect)
"""

from __future__ import annotations

from typing import Any


class HoneyflowError(Exception):
    """Base of every error the client raises."""


class ConnectError(HoneyflowError):
    pass


class ResourceError(HoneyflowError):
    pass


class RequestTimeoutError(HoneyflowError):
    pass


class DecisionEvaluationError(HoneyflowError):
    """`evaluate_decision` found the decision but its evaluation failed (Zeebe's FAILED)."""

    def __init__(
        self, decision_id: str, failed_decision_id: str, message: str, result: Any
    ) -> None:
        super().__init__(
            f"evaluation of decision '{decision_id}' failed in '{failed_decision_id}': {message}"
        )
        self.decision_id = decision_id
        self.failed_decision_id = failed_decision_id
        self.failure_message = message
        self.result = result


class RejectedError(HoneyflowError):
    def __init__(self, rejection_type: str, reason: str, command: str = "") -> None:
        super().__init__(f"{command} rejected ({rejection_type}): {reason}".strip())
        self.rejection_type = rejection_type
        self.reason = reason
        self.command = command


class NotFoundError(RejectedError):
    pass


class InvalidArgumentError(RejectedError):
    """The engine refused the command's arguments (INVALID_ARGUMENT), or the client refused a
    call's argument before sending anything; then `.argument` names it."""

    argument: str | None = None

    @classmethod
    def of_argument(cls, call: str, argument: str, problem: str) -> InvalidArgumentError:
        error = cls("INVALID_ARGUMENT", f"{argument} {problem}", call)
        error.argument = argument
        error.args = (f"{call}: argument {argument} {problem}",)
        return error


class InvalidStateError(RejectedError):
    pass


class AlreadyExistsError(RejectedError):
    pass


class ProcessingError(RejectedError):
    pass


_BY_TYPE: dict[str, type[RejectedError]] = {
    "NOT_FOUND": NotFoundError,
    "INVALID_ARGUMENT": InvalidArgumentError,
    "INVALID_STATE": InvalidStateError,
    "ALREADY_EXISTS": AlreadyExistsError,
    "PROCESSING_ERROR": ProcessingError,
}


def rejection_error(rejection_type: str, reason: str, command: str) -> RejectedError:
    return _BY_TYPE.get(rejection_type, RejectedError)(rejection_type, reason, command)
