"""The kinds of record values, with Zeebe's `ValueType` names.

A record's `valueType` says which typed value its `value` holds and which intents apply
(see `intents.py`). Only the value types Honeyflow writes are listed; Zeebe has more
(user tasks, decisions, identity, ...), see docs/record-format.md.
"""

from __future__ import annotations

from enum import StrEnum


class ValueType(StrEnum):
    DEPLOYMENT = "DEPLOYMENT"
    PROCESS = "PROCESS"
    PROCESS_INSTANCE = "PROCESS_INSTANCE"
    PROCESS_INSTANCE_CREATION = "PROCESS_INSTANCE_CREATION"
    PROCESS_INSTANCE_RESULT = "PROCESS_INSTANCE_RESULT"
    PROCESS_EVENT = "PROCESS_EVENT"
    JOB = "JOB"
    JOB_BATCH = "JOB_BATCH"
    INCIDENT = "INCIDENT"
    MESSAGE = "MESSAGE"
    MESSAGE_BATCH = "MESSAGE_BATCH"
    MESSAGE_CORRELATION = "MESSAGE_CORRELATION"
    MESSAGE_SUBSCRIPTION = "MESSAGE_SUBSCRIPTION"
    PROCESS_MESSAGE_SUBSCRIPTION = "PROCESS_MESSAGE_SUBSCRIPTION"
    MESSAGE_START_EVENT_SUBSCRIPTION = "MESSAGE_START_EVENT_SUBSCRIPTION"
    TIMER = "TIMER"
    VARIABLE = "VARIABLE"
    VARIABLE_DOCUMENT = "VARIABLE_DOCUMENT"
    ERROR = "ERROR"
    SIGNAL = "SIGNAL"
    SIGNAL_SUBSCRIPTION = "SIGNAL_SUBSCRIPTION"
    ESCALATION = "ESCALATION"
    COMMAND_DISTRIBUTION = "COMMAND_DISTRIBUTION"
