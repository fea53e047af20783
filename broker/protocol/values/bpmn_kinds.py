"""The one set of BPMN element and event kinds, with Zeebe's names (BpmnElementType,
BpmnEventType): the executable model (`bpmn`) types its nodes with them and the record values
carry them, so the engine compares members, never names.

A leaf module (it imports nothing of ours): `bpmn` takes its kinds from here, as Zeebe's
executable model takes them from its protocol, and stays free of the rest of `broker`.
"""

from __future__ import annotations

from enum import StrEnum


class BpmnElementType(StrEnum):
    """The kind of BPMN element a node is and an element instance runs (`bpmnElementType`)."""

    UNSPECIFIED = "UNSPECIFIED"
    PROCESS = "PROCESS"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    AD_HOC_SUB_PROCESS = "AD_HOC_SUB_PROCESS"
    AD_HOC_SUB_PROCESS_INNER_INSTANCE = "AD_HOC_SUB_PROCESS_INNER_INSTANCE"
    START_EVENT = "START_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    END_EVENT = "END_EVENT"
    SERVICE_TASK = "SERVICE_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    USER_TASK = "USER_TASK"
    MANUAL_TASK = "MANUAL_TASK"
    TASK = "TASK"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    SEQUENCE_FLOW = "SEQUENCE_FLOW"
    MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"
    CALL_ACTIVITY = "CALL_ACTIVITY"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    SEND_TASK = "SEND_TASK"

    @property
    def is_activity(self) -> bool:
        return self in ACTIVITIES

    @property
    def is_gateway(self) -> bool:
        return self in GATEWAYS

    @property
    def is_container(self) -> bool:
        """Elements that hold a flow scope of their own."""
        return self in CONTAINERS


ACTIVITIES = frozenset(
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
GATEWAYS = frozenset(
    {
        BpmnElementType.EXCLUSIVE_GATEWAY,
        BpmnElementType.PARALLEL_GATEWAY,
        BpmnElementType.INCLUSIVE_GATEWAY,
        BpmnElementType.EVENT_BASED_GATEWAY,
    }
)
CONTAINERS = frozenset(
    {BpmnElementType.PROCESS, BpmnElementType.SUB_PROCESS, BpmnElementType.EVENT_SUB_PROCESS}
)
# Gateways that wait for (some of) their incoming flows when they have more than one.
JOINING_GATEWAYS = frozenset({BpmnElementType.PARALLEL_GATEWAY, BpmnElementType.INCLUSIVE_GATEWAY})


class BpmnEventType(StrEnum):
    """The event definition of an event element (`bpmnEventType`); UNSPECIFIED otherwise."""

    UNSPECIFIED = "UNSPECIFIED"
    CONDITIONAL = "CONDITIONAL"
    ERROR = "ERROR"
    ESCALATION = "ESCALATION"
    LINK = "LINK"
    MESSAGE = "MESSAGE"
    NONE = "NONE"
    SIGNAL = "SIGNAL"
    TERMINATE = "TERMINATE"
    TIMER = "TIMER"
    COMPENSATION = "COMPENSATION"
