"""Enumerations of the executable model. The element and event kinds are the protocol's
(`broker.protocol.values.bpmn_kinds`, a leaf module): one set of kinds for the model and the
records, so the engine compares members and never converts or compares names.
"""

from __future__ import annotations

import enum

from broker.protocol.values.bpmn_kinds import BpmnElementType, BpmnEventType

__all__ = ["BpmnElementType", "BpmnEventType", "TimerKind"]


class TimerKind(enum.Enum):
    """Which child of `timerEventDefinition` holds the value."""

    DATE = "timeDate"
    DURATION = "timeDuration"
    CYCLE = "timeCycle"
