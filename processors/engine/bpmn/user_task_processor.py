"""User tasks: a Camunda user task (`zeebe:userTask`) waits for its USER_TASK to be completed;
a user task without it is Zeebe's job-based user task, handled as every job-worker task."""

from __future__ import annotations

from broker.protocol.values import ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.execution_listeners import activation_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.task_processors import TaskProcessor
from processors.engine.bpmn.user_task_behavior import (
    FormNotFound,
    cancel_user_task,
    create_user_task,
    evaluate_user_task,
)


class UserTaskProcessor(TaskProcessor):
    def on_activate(self, call: ElementCall) -> None:
        task = call.require_node().user_task
        if task is None:
            super().on_activate(call)
            return
        if not activation_ready(call):  # input mappings, start listeners
            return
        try:
            properties = evaluate_user_task(call, task)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return
        except FormNotFound as missing:
            raise_incident(call, ErrorType.FORM_NOT_FOUND, missing.message)
            return
        if not open_subscriptions(call):  # boundary events
            return
        lifecycle.activated(call)
        create_user_task(call, properties)

    # on_complete: the task's variables were handed to the element (USER_TASK COMPLETED), and
    # TaskProcessor merges them, then applies output mappings, as for a job's.

    def on_terminate(self, call: ElementCall) -> None:
        cancel_user_task(call)
        super().on_terminate(call)
