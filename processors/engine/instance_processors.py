"""Commands on element instances (Zeebe's BpmnStreamProcessor): ACTIVATE_ELEMENT,
COMPLETE_ELEMENT and TERMINATE_ELEMENT write the lifecycle transition and hand over to the
element's processor; COMPLETE_EXECUTION_LISTENER goes on after a listener's job; CANCEL
terminates a root process instance with everything inside it."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import (
    BpmnElementType,
    BpmnEventType,
    ErrorType,
    ProcessInstanceRecordValue,
)
from processors.engine.bpmn import lifecycle, multi_instance_behavior
from processors.engine.bpmn.call_activity_processor import called_process_rejection
from processors.engine.bpmn.element_call import ElementCall, call_for
from processors.engine.bpmn.element_registry import processor_for
from processors.engine.bpmn.incident_behavior import raise_incident, resolve_element_incidents
from processors.engine.bpmn.job_behavior import cancel_job
from processors.engine.context import ProcessingContext
from processors.engine.loop_guard import endless_loop_message
from processors.engine.state import ElementInstance


def activate_element(command: Record[ProcessInstanceRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    scope = None
    if value.flow_scope_key != -1:
        scope = ctx.state.elements.get(value.flow_scope_key)
        if scope is None or not scope.is_active:
            ctx.reject(
                RejectionType.INVALID_STATE,
                f"Expected flow scope instance with key '{value.flow_scope_key}' to be active,"
                f" but it is not; element '{value.element_id}' is not activated",
            )
            return
        if (
            scope.interrupted_by is not None
            and value.bpmn_element_type is not BpmnElementType.EVENT_SUB_PROCESS
        ):
            # An interrupting event subprocess ended the scope's own flow.
            ctx.reject(
                RejectionType.INVALID_STATE,
                f"Expected flow scope instance with key '{value.flow_scope_key}' to be not"
                f" interrupted, but it is; element '{value.element_id}' is not activated",
            )
            return
    elif (reason := called_process_rejection(ctx.state, value)) is not None:
        ctx.reject(RejectionType.INVALID_STATE, reason)
        return
    reason = _unknown_element(ctx, value)
    if reason is not None:
        ctx.reject(RejectionType.INVALID_ARGUMENT, reason)
        return
    process = ctx.state.processes.executable(value.process_definition_key)
    call = ElementCall(ctx, command.key, value, process)
    lifecycle.write(call, PI.ELEMENT_ACTIVATING)
    if scope is not None and scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY:
        multi_instance_behavior.continue_parallel(call, scope)
    if ctx.loop_exhausted:
        raise_incident(call, ErrorType.UNKNOWN, endless_loop_message(value.element_id))
        return
    if (
        scope is not None
        and scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY
        and not multi_instance_behavior.on_inner_activating(call)
    ):
        return
    processor_for(call).on_activate(call)


def _unknown_element(ctx: ProcessingContext, value: ProcessInstanceRecordValue) -> str | None:
    """Why an ACTIVATE_ELEMENT command names something its process does not hold (the
    engine's own never do; one written to the commands topic by hand may)."""
    try:
        process = ctx.state.processes.executable(value.process_definition_key)
    except KeyError:
        return (
            f"Expected to activate element '{value.element_id}' of the process definition with"
            f" key '{value.process_definition_key}', but no such process definition is deployed"
        )
    where = (
        f"element '{value.element_id}' of process '{process.bpmn_process_id}' (key"
        f" '{value.process_definition_key}')"
    )
    node = process.elements.get(value.element_id)
    if value.element_id == process.bpmn_process_id:
        types = {BpmnElementType.PROCESS}
    elif node is None:
        return f"Expected to activate {where}, but the process has no such element"
    else:  # a multi-instance activity runs as its body and as the body's inner instances
        types = {node.element_type}
        if node.multi_instance is not None:
            types.add(BpmnElementType.MULTI_INSTANCE_BODY)
    if value.bpmn_element_type not in types:
        expected = " or ".join(sorted(str(t) for t in types))
        return (
            f"Expected to activate {where} as {expected}, but the command says"
            f" {value.bpmn_element_type}"
        )
    event_type = BpmnEventType.UNSPECIFIED if node is None else node.event_type
    if value.bpmn_event_type is not event_type:
        return (
            f"Expected to activate {where} with event type {event_type}, but the command"
            f" says {value.bpmn_event_type}"
        )
    return None


def complete_element(command: Record[ProcessInstanceRecordValue], ctx: ProcessingContext) -> None:
    instance = ctx.state.elements.get(command.key)
    if instance is None or instance.state is not PI.ELEMENT_ACTIVATED:
        state = "not found" if instance is None else f"in state '{instance.state}'"
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected element instance with key '{command.key}' to be ELEMENT_ACTIVATED"
            f" to complete it, but it is {state}",
        )
        return
    reason = _inactive_flow_scope(ctx, instance)
    if reason is not None:
        ctx.reject(RejectionType.INVALID_STATE, reason)
        return
    call = call_for(ctx, instance)
    lifecycle.write(call, PI.ELEMENT_COMPLETING)
    processor_for(call).on_complete(call)


def _inactive_flow_scope(ctx: ProcessingContext, instance: ElementInstance) -> str | None:
    """Why an element may not complete because of its flow scope (Zeebe's transition guard):
    the scope (a called process's call activity) must be ELEMENT_ACTIVATED and not interrupted
    (an interrupting boundary event or event subprocess struck), so that the termination
    queued after this completion goes first."""
    value = instance.value
    scope_key = value.flow_scope_key
    if scope_key == -1:
        scope_key = value.parent_element_instance_key
        if scope_key == -1:
            return None  # a root process instance
    scope = ctx.state.elements.get(scope_key)
    if scope is None or scope.state is not PI.ELEMENT_ACTIVATED:
        return (
            f"Expected flow scope instance with key '{scope_key}' to be ELEMENT_ACTIVATED to"
            f" complete element '{value.element_id}', but it is not"
        )
    if (
        scope.interrupted_by is not None
        and value.bpmn_element_type is not BpmnElementType.EVENT_SUB_PROCESS
    ):
        return (
            f"Expected flow scope instance with key '{scope_key}' to be not interrupted, but"
            f" it is; element '{value.element_id}' is not completed"
        )
    return None


def complete_execution_listener(
    command: Record[ProcessInstanceRecordValue], ctx: ProcessingContext
) -> None:
    """An execution listener's job completed: the element runs its activation (start
    listeners) or completion (end listeners) again, which goes on with the next listener or,
    after the last one, with the element (`execution_listeners`)."""
    instance = ctx.state.elements.get(command.key)
    if instance is None or instance.state not in (PI.ELEMENT_ACTIVATING, PI.ELEMENT_COMPLETING):
        state = "not found" if instance is None else f"in state '{instance.state}'"
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected element instance with key '{command.key}' to be ELEMENT_ACTIVATING or"
            f" ELEMENT_COMPLETING to complete an execution listener, but it is {state}",
        )
        return
    if instance.job_key != -1:
        # Only a completed listener job goes on (a command from outside must not skip one).
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected the execution listener of element instance with key '{command.key}' to"
            f" be completed, but its job with key '{instance.job_key}' is still active",
        )
        return
    call = call_for(ctx, instance)
    processor = processor_for(call)
    if instance.state is PI.ELEMENT_ACTIVATING:
        processor.on_activate(call)
    else:
        processor.on_complete(call)


def terminate_element(command: Record[ProcessInstanceRecordValue], ctx: ProcessingContext) -> None:
    instance = ctx.state.elements.get(command.key)
    if instance is None or instance.state is PI.ELEMENT_TERMINATING:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected element instance with key '{command.key}' to be active to terminate it,"
            " but it is not",
        )
        return
    start_termination(call_for(ctx, instance))


def start_termination(call: ElementCall) -> None:
    lifecycle.write(call, PI.ELEMENT_TERMINATING)
    resolve_element_incidents(call.ctx, call.key)
    cancel_job(call)  # its own or an execution listener's
    processor_for(call).on_terminate(call)


def cancel_instance(command: Record[ProcessInstanceRecordValue], ctx: ProcessingContext) -> None:
    instance = ctx.state.elements.get(command.key)
    if instance is None or instance.flow_scope_key != -1:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to cancel a process instance with key '{command.key}', but no such"
            " process instance was found",
        )
        return
    if instance.value.parent_process_instance_key != -1:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to cancel a process instance with key '{command.key}', but it is"
            " created by a parent process instance. Cancel the root process instance"
            f" '{instance.value.parent_process_instance_key}' instead.",
        )
        return
    if instance.state is PI.ELEMENT_TERMINATING:
        ctx.reject(
            RejectionType.INVALID_STATE,
            f"Expected to cancel a process instance with key '{command.key}', but it is"
            " already being terminated",
        )
        return
    call = call_for(ctx, instance)
    lifecycle.write(call, PI.ELEMENT_TERMINATING)
    ctx.respond(
        Record.event(
            PI.ELEMENT_TERMINATING,
            instance.value,
            key=command.key,
            partition_id=ctx.partition_id,
            timestamp=ctx.now_ms,
        )
    )
    resolve_element_incidents(ctx, call.key)
    cancel_job(call)  # a start or end listener's
    processor_for(call).on_terminate(call)
