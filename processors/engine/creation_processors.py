"""PROCESS_INSTANCE_CREATION CREATE and CREATE_WITH_AWAITING_RESULT: find the process (by key,
or by BPMN id and version, latest by default), set the initial variables, activate the
process element — or, with start instructions, the chosen elements (`start_instructions`).
With awaiting result, the response is sent when the instance completes."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.fast_init import fast_replacer
from broker.protocol.intents import ProcessInstanceCreationIntent, ProcessInstanceIntent
from broker.protocol.values import (
    BpmnElementType,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
)
from processors.engine import start_instructions
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.variable_behavior import set_local
from processors.engine.context import ProcessingContext
from processors.engine.state import DeployedProcess

_created = fast_replacer(
    ProcessInstanceCreationRecordValue,
    ("bpmn_process_id", "version", "process_definition_key", "process_instance_key"),
)


def _find_process(
    command: Record[ProcessInstanceCreationRecordValue], ctx: ProcessingContext
) -> DeployedProcess | None:
    value = command.value
    processes = ctx.state.processes
    tenant = value.tenant_id
    if value.process_definition_key != -1:
        found = processes.by_key(value.process_definition_key)
        if found is not None and found.tenant_id != tenant:
            found = None  # another tenant's definition is not there for this one (Zeebe)
        if found is None:
            ctx.reject(
                RejectionType.NOT_FOUND,
                "Expected to find process definition with key"
                f" '{value.process_definition_key}', but none found",
            )
        return found
    if not value.bpmn_process_id:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected at least a bpmnProcessId or a key greater than -1, but none given",
        )
        return None
    if value.version == -1:
        found = processes.latest(value.bpmn_process_id, tenant)
        if found is None:
            ctx.reject(
                RejectionType.NOT_FOUND,
                "Expected to find process definition with process ID"
                f" '{value.bpmn_process_id}', but none found",
            )
        return found
    found = processes.by_version(value.bpmn_process_id, value.version, tenant)
    if found is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            "Expected to find process definition with process ID"
            f" '{value.bpmn_process_id}' and version '{value.version}', but none found",
        )
    return found


def create_instance(
    command: Record[ProcessInstanceCreationRecordValue], ctx: ProcessingContext
) -> None:
    deployed = _find_process(command, ctx)
    if deployed is None:
        return
    value = command.value
    if not isinstance(value.variables, dict):
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected variables to be a JSON object, but it was not",
        )
        return
    process = ctx.state.processes.executable(deployed.key)
    targets = tuple(instruction.element_id for instruction in value.start_instructions)
    if process.none_start_event_id is None and not targets:
        ctx.reject(
            RejectionType.INVALID_STATE,
            "Expected to create instance of process with none start event, but there is no"
            " such event",
        )
        return
    if targets and (reason := start_instructions.rejection(process, targets)) is not None:
        ctx.reject(RejectionType.INVALID_ARGUMENT, reason)
        return
    instance_key = ctx.next_key()
    element_value = ProcessInstanceRecordValue(
        bpmn_process_id=deployed.bpmn_process_id,
        version=deployed.version,
        process_definition_key=deployed.key,
        process_instance_key=instance_key,
        element_id=deployed.bpmn_process_id,
        flow_scope_key=-1,
        bpmn_element_type=BpmnElementType.PROCESS,
        tenant_id=deployed.tenant_id,
    )
    call = ElementCall(ctx, instance_key, element_value, process)
    set_local(call, instance_key, value.variables)
    if targets:
        start_instructions.activate(call, targets)
    else:
        ctx.follow_up(instance_key, ProcessInstanceIntent.ACTIVATE_ELEMENT, element_value)
    created = _created(
        value, deployed.bpmn_process_id, deployed.version, deployed.key, instance_key
    )
    record = ctx.event(instance_key, ProcessInstanceCreationIntent.CREATED, created)
    if command.intent is ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT:
        ctx.await_result(instance_key, tuple(value.fetch_variables))
    else:
        ctx.respond(record)
