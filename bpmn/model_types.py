"""Enumerations of the executable model, named as Zeebe names them (BpmnElementType,
BpmnEventType) so that records and logs read the same as Zeebe's.
"""

from __future__ import annotations

import enum


class BpmnElementType(enum.Enum):
    PROCESS = "PROCESS"
    START_EVENT = "START_EVENT"
    END_EVENT = "END_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    SERVICE_TASK = "SERVICE_TASK"
    USER_TASK = "USER_TASK"
    SEND_TASK = "SEND_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    MANUAL_TASK = "MANUAL_TASK"
    TASK = "TASK"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    CALL_ACTIVITY = "CALL_ACTIVITY"
    MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"
    SEQUENCE_FLOW = "SEQUENCE_FLOW"

    @property
    def is_activity(self) -> bool:
        return self in _ACTIVITIES

    @property
    def is_gateway(self) -> bool:
        return self in _GATEWAYS

    @property
    def is_container(self) -> bool:
        """Elements that hold a flow scope of their own."""
        return self in (
            BpmnElementType.PROCESS,
            BpmnElementType.SUB_PROCESS,
            BpmnElementType.EVENT_SUB_PROCESS,
        )


_ACTIVITIES = frozenset(
    {
        BpmnElementType.SERVICE_TASK,
        BpmnElementType.USER_TASK,
        BpmnElementType.SEND_TASK,
        BpmnElementType.RECEIVE_TASK,
        BpmnElementType.SCRIPT_TASK,
        BpmnElementType.BUSINESS_RULE_TASK,
        BpmnElementType.MANUAL_TASK,
        BpmnElementType.TASK,
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.CALL_ACTIVITY,
    }
)
_GATEWAYS = frozenset(
    {
        BpmnElementType.EXCLUSIVE_GATEWAY,
        BpmnElementType.PARALLEL_GATEWAY,
        BpmnElementType.INCLUSIVE_GATEWAY,
        BpmnElementType.EVENT_BASED_GATEWAY,
    }
)


class BpmnEventType(enum.Enum):
    UNSPECIFIED = "UNSPECIFIED"
    NONE = "NONE"
    MESSAGE = "MESSAGE"
    TIMER = "TIMER"
    ERROR = "ERROR"
    ESCALATION = "ESCALATION"
    SIGNAL = "SIGNAL"
    LINK = "LINK"
    TERMINATE = "TERMINATE"
    COMPENSATION = "COMPENSATION"
    CONDITIONAL = "CONDITIONAL"


class TimerKind(enum.Enum):
    """Which child of `timerEventDefinition` holds the value."""

    DATE = "timeDate"
    DURATION = "timeDuration"
    CYCLE = "timeCycle"
