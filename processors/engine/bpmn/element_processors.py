"""The table of element processors by element type, built for each Engine. The model refuses
every element type missing here at deployment (tests/engine/test_every_deployable_kind_runs.py)."""

from __future__ import annotations

from broker.protocol.values import BpmnElementType as T
from processors.engine.bpmn.boundary_events import BoundaryEventProcessor, StartEventProcessor
from processors.engine.bpmn.business_rule_task_processor import BusinessRuleTaskProcessor
from processors.engine.bpmn.call_activity_processor import CallActivityProcessor
from processors.engine.bpmn.container_processors import ProcessProcessor, SubProcessProcessor
from processors.engine.bpmn.element_registry import ElementProcessors
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
from processors.engine.bpmn.user_task_processor import UserTaskProcessor


def build_element_processors() -> ElementProcessors:
    tasks = TaskProcessor()
    return ElementProcessors(
        {
            T.PROCESS: ProcessProcessor(),
            T.SUB_PROCESS: SubProcessProcessor(),
            T.EVENT_SUB_PROCESS: EventSubProcessProcessor(),
            T.SERVICE_TASK: tasks,
            T.USER_TASK: UserTaskProcessor(),
            T.SEND_TASK: tasks,
            T.BUSINESS_RULE_TASK: BusinessRuleTaskProcessor(),
            T.SCRIPT_TASK: tasks,
            T.MANUAL_TASK: tasks,
            T.TASK: tasks,
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
