"""Why a command was refused. Names are Zeebe's `RejectionType` constants.

`NULL_VAL` is what every non-rejection record carries, as in Zeebe's exported JSON.
"""

from __future__ import annotations

from enum import StrEnum


class RejectionType(StrEnum):
    NULL_VAL = "NULL_VAL"
    """Not a rejection (every COMMAND and EVENT record)."""
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    """The command's value is invalid (e.g. negative retries, unparsable variables)."""
    NOT_FOUND = "NOT_FOUND"
    """The entity the command refers to does not exist (any more)."""
    ALREADY_EXISTS = "ALREADY_EXISTS"
    """The entity the command would create exists already (e.g. a duplicate message id)."""
    INVALID_STATE = "INVALID_STATE"
    """The entity exists but is not in a state that allows the command."""
    PROCESSING_ERROR = "PROCESSING_ERROR"
    """Processing the command failed unexpectedly; the command had no effect."""
    EXCEEDED_BATCH_RECORD_SIZE = "EXCEEDED_BATCH_RECORD_SIZE"
    """The results of the command would not fit in one batch of records."""
    UNAUTHORIZED = "UNAUTHORIZED"
    """The producer is not authenticated for the command."""
    FORBIDDEN = "FORBIDDEN"
    """The producer is authenticated but not allowed to issue the command."""
