"""PROCESS_INSTANCE_MODIFICATION MODIFY (Zeebe's ProcessInstanceModificationModifyProcessor):
after the checks (`modification_checks`), every activate instruction activates its element
(`element_activation`), then every terminate instruction terminates its element instance,
then MODIFIED is written and answered. All or nothing: a refusal found on the way rolls the
whole command back.

Termination is by events, as in Zeebe: the element instance and everything inside it (the
children of a container, the process instance a call activity called) are ELEMENT_TERMINATING
— their jobs and user tasks canceled, their incidents resolved — then ELEMENT_TERMINATED,
innermost first, without their element processors (no boundary event, no flow taken). A flow
scope left with nothing running and no element about to be activated in it is terminated
the same way, up to the process instance, which so ends TERMINATED; a called process instance
would end without its call activity knowing, so that is refused."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.intents import ProcessInstanceModificationIntent
from broker.protocol.values import (
    BpmnElementType,
    ModificationActivateInstruction,
    ProcessInstanceModificationRecordValue,
)
from processors.engine import element_activation, message_start_behavior
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall, call_for
from processors.engine.bpmn.incident_behavior import resolve_element_incidents
from processors.engine.bpmn.job_behavior import cancel_job
from processors.engine.bpmn.user_task_behavior import cancel_user_task
from processors.engine.bpmn.variable_behavior import set_local
from processors.engine.context import CommandRejected, ProcessingContext
from processors.engine.modification_checks import rejection
from processors.engine.state import ElementInstance

_CONTAINERS = frozenset(
    {
        BpmnElementType.PROCESS,
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.MULTI_INSTANCE_BODY,
        BpmnElementType.AD_HOC_SUB_PROCESS,
    }
)


def modify_instance(
    command: Record[ProcessInstanceModificationRecordValue], ctx: ProcessingContext
) -> None:
    value = command.value
    key = command.key if command.key > -1 else value.process_instance_key
    instance = ctx.state.elements.get(value.process_instance_key)
    if instance is None or instance.element_type is not BpmnElementType.PROCESS:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to modify process instance but no process instance found with key '{key}'",
        )
        return
    process_call = call_for(ctx, instance)
    reason = rejection(ctx.state, process_call.process, value)
    if reason is not None:
        ctx.reject(RejectionType.INVALID_ARGUMENT, reason)
        return
    activated: list[ModificationActivateInstruction] = []
    required: set[int] = set()
    for instruction in value.activate_instructions:
        node = process_call.process.elements[instruction.element_id]

        def variables_at(
            element_id: str,
            scope_key: int,
            given: ModificationActivateInstruction = instruction,
        ) -> None:
            for variables in given.variable_instructions:
                if variables.element_id == element_id or (
                    not variables.element_id and element_id == process_call.value.element_id
                ):
                    set_local(process_call, scope_key, variables.variables)

        scopes = element_activation.activate(
            process_call, node, instruction.ancestor_scope_key, variables_at
        )
        required.update(scopes)
        activated.append(
            ModificationActivateInstruction(
                element_id=instruction.element_id,
                ancestor_scope_key=instruction.ancestor_scope_key,
                variable_instructions=instruction.variable_instructions,
                ancestor_scope_keys=tuple(scopes),
            )
        )
    for terminate in value.terminate_instructions:
        target = ctx.state.elements.get(terminate.element_instance_key)
        if target is None or target.state is PI.ELEMENT_TERMINATING:
            continue  # inside an element instance terminated by an earlier instruction
        _refuse_ending_a_called_instance(ctx, target)
        flow_scope_key = target.flow_scope_key
        _terminate(ctx, target)
        _terminate_empty_scopes(ctx, flow_scope_key, required)
    modified = ProcessInstanceModificationRecordValue(
        process_instance_key=value.process_instance_key,
        terminate_instructions=value.terminate_instructions,
        activate_instructions=tuple(activated),
        tenant_id=value.tenant_id,
    )
    ctx.respond(ctx.event(key, ProcessInstanceModificationIntent.MODIFIED, modified))


def _refuse_ending_a_called_instance(ctx: ProcessingContext, instance: ElementInstance) -> None:
    value = instance.value
    called = value.parent_element_instance_key != -1
    if value.bpmn_element_type is BpmnElementType.PROCESS and called:
        raise CommandRejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to modify instance of process '{value.bpmn_process_id}' but the given"
            " instructions would terminate the instance. The instance was created by a call"
            " activity in the parent process. To terminate this instance please modify the"
            " parent process instead.",
        )


def _terminate(ctx: ProcessingContext, instance: ElementInstance) -> None:
    """ELEMENT_TERMINATING for `instance` and everything inside it (outermost first), then
    ELEMENT_TERMINATED for each (innermost first)."""
    terminating: list[ElementCall] = []
    todo = [instance]
    while todo:
        current = todo.pop()
        call = call_for(ctx, current)
        lifecycle.write(call, PI.ELEMENT_TERMINATING)
        terminating.append(call)
        cancel_job(call)
        cancel_user_task(call)
        resolve_element_incidents(ctx, call.key)
        todo.extend(_inside(ctx, current))
    for call in reversed(terminating):
        if call.element_type is BpmnElementType.PROCESS:
            ctx.take_awaiting(call.key)
            started = message_start_behavior.started_by_message(call)
            lifecycle.write(call, PI.ELEMENT_TERMINATED)
            message_start_behavior.start_next_buffered(ctx, started)
        else:
            lifecycle.write(call, PI.ELEMENT_TERMINATED)


def _inside(ctx: ProcessingContext, instance: ElementInstance) -> list[ElementInstance]:
    if instance.element_type in _CONTAINERS:
        children = ctx.state.elements.children(instance.key)
    elif instance.called_instance_key != -1:
        called = ctx.state.elements.get(instance.called_instance_key)
        children = [] if called is None else [called]
    else:
        return []
    return [c for c in children if c.state is not PI.ELEMENT_TERMINATING]


def _terminate_empty_scopes(ctx: ProcessingContext, scope_key: int, required: set[int]) -> None:
    scope = ctx.state.elements.get(scope_key)
    while (
        scope is not None
        and scope.active_children == 0
        and scope.active_flows == 0
        and scope.key not in required
    ):
        _refuse_ending_a_called_instance(ctx, scope)
        parent_key = scope.flow_scope_key
        _terminate(ctx, scope)
        scope = ctx.state.elements.get(parent_key)
