"""Tasks: job-worker tasks (service, user, send, business rule and script tasks with a task
definition) wait for their job; script tasks with a FEEL script compute their result; manual
and undefined tasks pass straight through."""

from __future__ import annotations

from typing import Any

from broker.protocol.values import ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.execution_listeners import activation_ready, completion_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.job_behavior import cancel_job, create_job, evaluate_job_properties
from processors.engine.bpmn.variable_behavior import apply_output_behavior


def _trigger_variables(call: ElementCall) -> dict[str, Any]:
    instance = call.instance
    if instance is None or instance.completion_variables is None:
        return {}
    return dict(instance.completion_variables)


class TaskProcessor:
    """Job-worker tasks, and pass-through tasks when the element has no job definition."""

    def on_activate(self, call: ElementCall) -> None:
        node = call.require_node()
        if not activation_ready(call):  # input mappings, start listeners
            return
        if node.script is not None and node.job is None:
            self._run_script(call)
            return
        if node.job is None:
            lifecycle.activated(call)
            lifecycle.complete_now(call)
            return
        try:
            properties = evaluate_job_properties(call)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return
        if not open_subscriptions(call):  # boundary events
            return
        lifecycle.activated(call)
        create_job(call, properties)

    def _run_script(self, call: ElementCall) -> None:
        script = call.require_node().script
        assert script is not None
        variables = call.ctx.state.variables.visible(call.key)
        try:
            result = evaluate(script.expression, variables, call.ctx.now_ms)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return
        lifecycle.activated(call)
        lifecycle.completing(call)
        self._finish(call, {script.result_variable: result})

    def on_complete(self, call: ElementCall) -> None:
        self._finish(call, _trigger_variables(call))

    def _finish(self, call: ElementCall, result_variables: dict[str, Any]) -> None:
        if not completion_ready(call, lambda: apply_output_behavior(call, result_variables)):
            return  # output mappings, end listeners
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        cancel_job(call)
        lifecycle.terminated(call)
