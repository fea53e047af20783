"""What a record is: a request to change state, a fact, or the refusal of a request.

Names are Zeebe's `RecordType` constants (without SBE's NULL_VAL, which never reaches the log).
"""

from __future__ import annotations

from enum import StrEnum


class RecordType(StrEnum):
    COMMAND = "COMMAND"
    """A request to change state; may be rejected."""
    EVENT = "EVENT"
    """A fact that happened; state changes only by applying events."""
    COMMAND_REJECTION = "COMMAND_REJECTION"
    """A command that was refused; carries `rejectionType` and `rejectionReason`."""
