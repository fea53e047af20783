"""Call activities: create an instance of the latest version of another process (on this
partition, as Zeebe does), hand it the call activity's variables, and complete when it
completes, propagating its variables (or only the output mappings' results). Terminating the
call activity terminates the called instance and everything in it.

`calling_activity` is the hook for error propagation: an error thrown in a called process that
nothing there catches is looked for in the parent, from the call activity outwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpmn.model_parts import CalledElement
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType, ErrorType, ProcessInstanceRecordValue
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall, call_for
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.execution_listeners import activation_ready, completion_ready
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.variable_behavior import (
    apply_output_behavior,
    set_local,
)
from processors.engine.state import DeployedProcess, StateReaders
from processors.engine.state.process_state import ProcessReader


def calling_activity(call: ElementCall) -> ElementCall | None:
    """The call activity instance that created `call`'s process instance, or None for a root
    instance. `call` may be any element instance of the called process.

    For error catching (`error_behavior.throw_error`): when the search for a catch event
    reaches the process element of a called instance without a match, continue it from the
    returned call activity (its boundary events, then its enclosing scopes) in the parent."""
    value = call.value
    if value.parent_element_instance_key == -1:
        return None
    parent = call.ctx.state.elements.get(value.parent_element_instance_key)
    return None if parent is None else call_for(call.ctx, parent)


def called_process_rejection(state: StateReaders, value: ProcessInstanceRecordValue) -> str | None:
    """Why the ACTIVATE_ELEMENT of a called process instance must be rejected, or None.

    Zeebe's state transition guard: a called process has its call activity as its flow scope,
    which must still be ELEMENT_ACTIVATED. A call activity terminated after it wrote the
    command (cancel, an interrupting event) has no child to wait for; the child must not run
    unguarded."""
    if value.parent_element_instance_key == -1:
        return None
    parent = state.elements.get(value.parent_element_instance_key)
    if parent is None:
        return (
            f"Expected call activity instance with key '{value.parent_element_instance_key}'"
            f" to be present in state but not found; process '{value.bpmn_process_id}' is not"
            " activated"
        )
    if parent.state is not PI.ELEMENT_ACTIVATED:
        return (
            f"Expected call activity instance with key '{value.parent_element_instance_key}'"
            f" to be ELEMENT_ACTIVATED, but it is {parent.state}; process"
            f" '{value.bpmn_process_id}' is not activated"
        )
    return None


def _bound_process(
    call: ElementCall, process_id: str, called: CalledElement
) -> tuple[DeployedProcess | None, str]:
    """The version of `process_id` that the binding type names, or None and Zeebe's message
    for the CALLED_ELEMENT_ERROR incident."""
    processes = call.ctx.state.processes
    tenant = call.value.tenant_id  # a call activity calls a process of its instance's tenant
    if called.binding_type == "deployment":
        caller = processes.by_key(call.value.process_definition_key)
        deployment_key = -1 if caller is None else caller.deployment_key
        found = _latest_where(
            processes, process_id, tenant, lambda p: p.deployment_key == deployment_key
        )
        return found, (
            f"Expected to call process with BPMN process id '{process_id}' with binding type"
            f" 'deployment', but no such process found in the deployment with key"
            f" {deployment_key} which contained the current process. To resolve this incident,"
            " migrate the process instance to a process definition that is deployed together"
            " with the intended process definition to call."
        )
    if called.binding_type == "versionTag":
        tag = called.version_tag or ""
        found = _latest_where(processes, process_id, tenant, lambda p: p.version_tag == tag)
        return found, (
            f"Expected to call process with BPMN process id '{process_id}' and version tag"
            f" '{tag}', but no such process found. To resolve this incident, deploy a process"
            " with the given process id and version tag."
        )
    return processes.latest(process_id, tenant), (
        f"Expected process with BPMN process id '{process_id}' to be deployed, but not found."
    )


def _latest_where(
    processes: ProcessReader,
    process_id: str,
    tenant_id: str,
    matches: Callable[[DeployedProcess], bool],
) -> DeployedProcess | None:
    """The latest version of `process_id` that `matches`: versions are read from the latest
    down (the one bound is nearly always among the newest)."""
    for version in range(processes.latest_version(process_id, tenant_id), 0, -1):
        deployed = processes.by_version(process_id, version, tenant_id)
        if deployed is not None and matches(deployed):
            return deployed
    return None


class CallActivityProcessor:
    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # input mappings, start listeners
            return
        deployed = self._called_process(call)
        if deployed is None:
            return
        if not open_subscriptions(call):  # boundary events
            return
        lifecycle.activated(call)
        self._create_child(call, deployed)

    def _called_process(self, call: ElementCall) -> DeployedProcess | None:
        """The latest version of the called process; None after raising an incident."""
        called = call.require_node().called_element
        if called is None:
            raise KeyError(f"call activity '{call.value.element_id}' has no called element")
        variables = call.ctx.state.variables.visible(call.key)
        try:
            process_id = evaluate_typed(called.process_id, variables, call.ctx.now_ms, str)
        except ExpressionFailure as failure:
            # Zeebe: a failing processId expression is EXTRACT_VALUE_ERROR.
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return None
        deployed, missing = _bound_process(call, process_id, called)
        if deployed is None:
            raise_incident(call, ErrorType.CALLED_ELEMENT_ERROR, missing)
            return None
        if call.ctx.state.processes.executable(deployed.key).none_start_event_id is None:
            raise_incident(
                call,
                ErrorType.CALLED_ELEMENT_ERROR,
                f"Expected process with BPMN process id '{process_id}' to have a none start"
                " event, but not found.",
            )
            return None
        return deployed

    def _create_child(self, call: ElementCall, deployed: DeployedProcess) -> None:
        ctx = call.ctx
        child_key = ctx.next_key()
        value = ProcessInstanceRecordValue(
            bpmn_process_id=deployed.bpmn_process_id,
            version=deployed.version,
            process_definition_key=deployed.key,
            process_instance_key=child_key,
            element_id=deployed.bpmn_process_id,
            flow_scope_key=-1,
            bpmn_element_type=BpmnElementType.PROCESS,
            parent_process_instance_key=call.value.process_instance_key,
            parent_element_instance_key=call.key,
            tenant_id=call.value.tenant_id,
        )
        ctx.follow_up(child_key, PI.ACTIVATE_ELEMENT, value)
        called = call.require_node().called_element
        variables: dict[str, Any] = {}
        if called is not None and called.propagate_all_parent_variables:
            variables = ctx.state.variables.visible(call.key)
        elif call.require_node().io_mappings.inputs:
            variables = ctx.state.variables.local(call.key)
        child = ElementCall(ctx, child_key, value, ctx.state.processes.executable(deployed.key))
        set_local(child, child_key, variables)

    def on_complete(self, call: ElementCall) -> None:
        instance = call.instance
        handed = None if instance is None else instance.completion_variables
        variables = dict(handed or {})
        if not completion_ready(call, lambda: apply_output_behavior(call, variables)):
            return  # output mappings, end listeners
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        instance = call.instance
        child = None
        if instance is not None and instance.called_instance_key != -1:
            child = call.ctx.state.elements.get(instance.called_instance_key)
        if child is None:
            lifecycle.terminated(call)
        elif child.state is not PI.ELEMENT_TERMINATING:
            lifecycle.request_termination(call_for(call.ctx, child))

    def on_child_completed(self, scope: ElementCall, child: ElementCall) -> None:
        """The called process instance completed (its variables are in the trigger)."""
        instance = scope.instance
        if instance is not None and instance.state is PI.ELEMENT_ACTIVATED:
            lifecycle.request_completion(scope)
        elif instance is not None and instance.state is PI.ELEMENT_TERMINATING:
            lifecycle.terminated(scope)

    def on_child_terminated(self, scope: ElementCall, child: ElementCall) -> None:
        instance = scope.instance
        if instance is not None and instance.state is PI.ELEMENT_TERMINATING:
            lifecycle.terminated(scope)
