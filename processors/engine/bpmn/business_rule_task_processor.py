"""Business rule tasks. With `zeebe:calledDecision` the task evaluates its decision when it is
activated (after its input mappings), writes the DECISION_EVALUATION record, sets the output as
the result variable (handed to the output mappings like a job's variables) and completes at
once. A decision that cannot be found is a CALLED_DECISION_ERROR incident, a failing evaluation
a DECISION_EVALUATION_ERROR incident (after the FAILED record); resolving either evaluates
again. With a `zeebe:taskDefinition` the task is a job like a service task."""

from __future__ import annotations

from bpmn.model_parts import CalledDecision
from broker.protocol.values import ErrorType
from processors.engine import decision_behavior
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.execution_listeners import activation_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.task_processors import TaskProcessor
from processors.engine.state.decision_state import DeployedDecision


def _bound_decision(
    call: ElementCall, decision_id: str, called: CalledDecision
) -> tuple[DeployedDecision | None, str]:
    """The version of `decision_id` that the binding type names, or None and Zeebe's message
    for the CALLED_DECISION_ERROR incident."""
    decisions = call.ctx.state.decisions
    tenant = call.value.tenant_id  # a decision of the instance's tenant
    if called.binding_type == "deployment":
        caller = call.ctx.state.processes.by_key(call.value.process_definition_key)
        deployment_key = -1 if caller is None else caller.deployment_key
        found = decisions.latest_where(
            decision_id, tenant, lambda d: d.deployment_key == deployment_key
        )
        return found, (
            f"Expected to evaluate decision '{decision_id}' with binding type 'deployment', but"
            f" no such decision found in the deployment with key {deployment_key} which"
            " contained the current process. To resolve this incident, migrate the process"
            " instance to a process definition that is deployed together with the intended"
            " decision to evaluate."
        )
    if called.binding_type == "versionTag":
        tag = called.version_tag or ""
        found = decisions.latest_where(decision_id, tenant, lambda d: d.version_tag == tag)
        return found, (
            f"Expected to evaluate decision with id '{decision_id}' and version tag '{tag}', but"
            " no such decision found. To resolve this incident, deploy a decision with the given"
            " id and version tag."
        )
    return decision_behavior.latest_decision(call.ctx.state, decision_id, tenant)


class BusinessRuleTaskProcessor(TaskProcessor):
    def on_activate(self, call: ElementCall) -> None:
        called = call.require_node().called_decision
        if called is None:
            super().on_activate(call)  # a job worker evaluates the rules
            return
        if not activation_ready(call):  # input mappings, start listeners
            return
        ctx = call.ctx
        variables = ctx.state.variables.visible(call.key)
        try:
            decision_id = evaluate_typed(called.decision_id, variables, ctx.now_ms, str)
        except ExpressionFailure as failure:
            # Zeebe: a failing decisionId expression is EXTRACT_VALUE_ERROR, as for processId.
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return
        decision, missing = _bound_decision(call, decision_id, called)
        if decision is None:
            raise_incident(call, ErrorType.CALLED_DECISION_ERROR, missing)
            return
        if ctx.state.decisions.drg(decision.decision_requirements_key) is None:
            raise_incident(
                call,
                ErrorType.CALLED_DECISION_ERROR,
                decision_behavior.lookup_failure(
                    decision_id, f"no drg found for id '{decision.decision_requirements_id}'"
                ),
            )
            return
        result = decision_behavior.evaluate(ctx.state, decision, variables, ctx.now_ms)
        key = ctx.next_key()
        value = call.value
        intent, record = decision_behavior.evaluation_record(
            ctx.state,
            decision,
            result,
            key,
            bpmn_process_id=value.bpmn_process_id,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            element_id=value.element_id,
            element_instance_key=call.key,
            tenant_id=value.tenant_id,
        )
        ctx.event(key, intent, record)
        if result.failure is not None:
            raise_incident(call, ErrorType.DECISION_EVALUATION_ERROR, result.failure.message)
            return
        lifecycle.activated(call)
        lifecycle.completing(call)
        self._finish(call, {called.result_variable: result.output})
