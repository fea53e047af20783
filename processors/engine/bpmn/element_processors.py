"""The table of element processors by element type. The model refuses every element type
missing here at deployment (tests/engine/test_every_deployable_kind_runs.py)."""

from __future__ import annotations

import processors.engine.bpmn.timer_behavior  # noqa: F401  (registers the timer subscriptions)
from broker.protocol.values import BpmnElementType as T
from processors.engine.bpmn.boundary_events import BoundaryEventProcessor, StartEventProcessor
from processors.engine.bpmn.call_activity_processor import CallActivityProcessor
from processors.engine.bpmn.container_processors import ProcessProcessor, SubProcessProcessor
from processors.engine.bpmn.element_registry import PROCESSORS
from processors.engine.bpmn.event_gateway_processors import EventBasedGatewayProcessor
from processors.engine.bpmn.event_subprocess_processors import EventSubProcessProcessor
from processors.engine.bpmn.gateway_processors import (
    ExclusiveGatewayProcessor,
    InclusiveGatewayProcessor,
    ParallelGatewayProcessor,
)
from processors.engine.bpmn.intermediate_catch_processors import CatchEventProcessor
from processors.engine.bpmn.multi_instance_body import MultiInstanceBodyProcessor
from processors.engine.bpmn.task_processors import TaskProcessor
from processors.engine.bpmn.throw_event_processors import (
    IntermediateThrowEventProcessor,
    ThrowEndEventProcessor,
)

_tasks = TaskProcessor()

PROCESSORS.update(
    {
        T.PROCESS: ProcessProcessor(),
        T.SUB_PROCESS: SubProcessProcessor(),
        T.EVENT_SUB_PROCESS: EventSubProcessProcessor(),
        T.SERVICE_TASK: _tasks,
        T.USER_TASK: _tasks,
        T.SEND_TASK: _tasks,
        T.BUSINESS_RULE_TASK: _tasks,
        T.SCRIPT_TASK: _tasks,
        T.MANUAL_TASK: _tasks,
        T.TASK: _tasks,
        T.EXCLUSIVE_GATEWAY: ExclusiveGatewayProcessor(),
        T.INCLUSIVE_GATEWAY: InclusiveGatewayProcessor(),
        T.PARALLEL_GATEWAY: ParallelGatewayProcessor(),
        T.EVENT_BASED_GATEWAY: EventBasedGatewayProcessor(),
        T.START_EVENT: StartEventProcessor(),
        T.BOUNDARY_EVENT: BoundaryEventProcessor(),
        T.INTERMEDIATE_THROW_EVENT: IntermediateThrowEventProcessor(),
        T.INTERMEDIATE_CATCH_EVENT: CatchEventProcessor(),
        T.RECEIVE_TASK: CatchEventProcessor(),
        T.END_EVENT: ThrowEndEventProcessor(),
        T.CALL_ACTIVITY: CallActivityProcessor(),
        T.MULTI_INSTANCE_BODY: MultiInstanceBodyProcessor(),
    }
)
