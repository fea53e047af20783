"""PROCESS_INSTANCE_MIGRATION MIGRATE: move a running process instance to another process
definition (Zeebe's process instance migration).

Every active element instance, the process first and then its descendants scope by scope,
is checked (`migration_preconditions`) and migrated: ELEMENT_MIGRATED with the target's
process definition key, version, BPMN process id and element id; its job, incidents and user
task keep their keys and move with it (MIGRATED); its catch events follow the mapping
(`migration_subscriptions`). The first check that fails rejects the command and nothing of
it stays. Variables stay where they are. The command answers with MIGRATED."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping

from bpmn import ExecutableProcess
from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import (
    IncidentIntent,
    JobIntent,
    MessageSubscriptionIntent,
    ProcessInstanceMigrationIntent,
    UserTaskIntent,
)
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType, ProcessInstanceMigrationRecordValue
from processors.engine import message_subscription_migration
from processors.engine import migration_preconditions as check
from processors.engine.bpmn.element_call import protocol_element_type
from processors.engine.context import CommandProcessor, ProcessingContext
from processors.engine.migration_subscriptions import migrate_catch_events
from processors.engine.migration_user_tasks import convert_to_camunda_user_task
from processors.engine.state import DeployedProcess, ElementInstance


def migrate_instance(
    command: Record[ProcessInstanceMigrationRecordValue], ctx: ProcessingContext
) -> None:
    value = command.value
    key = value.process_instance_key
    state = ctx.state
    root = state.elements.get(key)
    if root is None or root.flow_scope_key != -1:
        raise check.instance_not_found(key)
    instructions = value.mapping_instructions
    check.require_distinct_sources(key, instructions)
    target = state.processes.by_key(value.target_process_definition_key)
    if target is None or target.tenant_id != root.value.tenant_id:
        # Another tenant's definition is not there for this instance (docs/tenants.md).
        raise check.target_not_found(value.target_process_definition_key)
    source_process = state.processes.executable(root.value.process_definition_key)
    target_process = state.processes.executable(target.key)
    check.require_no_start_event_instance_for_target(key, root, target, target_process, state)
    check.require_elements_exist(key, source_process, target_process, instructions)
    mapping = {i.source_element_id: i.target_element_id for i in instructions}
    # The process itself needs no instruction.
    mapping[root.value.bpmn_process_id] = target.bpmn_process_id

    pending: deque[ElementInstance] = deque([root])
    while pending:
        instance = pending.popleft()
        _migrate_element(ctx, key, instance, source_process, target, target_process, mapping)
        pending.extend(state.elements.children(instance.key))

    ctx.respond(ctx.event(key, ProcessInstanceMigrationIntent.MIGRATED, value))


def _migrate_element(
    ctx: ProcessingContext,
    key: int,
    instance: ElementInstance,
    source_process: ExecutableProcess,
    target: DeployedProcess,
    target_process: ExecutableProcess,
    mapping: Mapping[str, str],
) -> None:
    state = ctx.state
    element_id = instance.value.element_id
    check.require_supported(key, instance, source_process)
    target_id = check.require_mapped(key, element_id, mapping.get(element_id))
    is_process = instance.value.bpmn_element_type is BpmnElementType.PROCESS
    converts = False
    target_node = None if is_process else target_process.elements.get(target_id)
    if target_node is None:
        target_type = (
            BpmnElementType.PROCESS
            if target_id == target_process.bpmn_process_id
            else _other_type(target_process, target_id)
        )
        check.require_same_type(key, instance, target_id, target_type)
    else:
        scope = state.elements.get(instance.flow_scope_key)
        inner = scope is not None and scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY
        target_type = target_node.element_type if inner else protocol_element_type(target_node)
        check.require_same_type(key, instance, target_id, target_type)
        check.require_same_loop(key, instance, source_process.elements.get(element_id), target_node)
        check.require_same_event_type(key, instance, target_id, target_node)
        converts = check.require_same_user_task_implementation(
            key, instance, target_id, target_node, state
        )
        check.require_unchanged_flow_scope(key, instance, target_node, state)
    # A join that waits counts its taken flows as under way: named first.
    check.require_no_waiting_join(key, instance)
    check.require_no_concurrent_command(key, instance, state)

    old = instance.value
    new = dataclasses.replace(
        old,
        bpmn_process_id=target.bpmn_process_id,
        version=target.version,
        process_definition_key=target.key,
        element_id=target_id,
    )
    ctx.event(instance.key, PI.ELEMENT_MIGRATED, new)
    if converts:
        convert_to_camunda_user_task(ctx, instance, new, target_process)
    else:
        _migrate_job(ctx, instance, target, target_id)
    _migrate_incidents(ctx, instance, target, target_id)
    _migrate_user_task(ctx, instance, target, target_id)
    if instance.state is not PI.ELEMENT_ACTIVATING:
        # An element still activating has opened no subscriptions yet (an incident stopped
        # it): it opens the target's when it continues.
        migrate_catch_events(
            ctx, key, instance.key, old, new, source_process, target_process, mapping
        )


def _other_type(process: ExecutableProcess, element_id: str) -> BpmnElementType:
    """The type of a mapped element that is no flow node: a sequence flow."""
    if element_id in process.sequence_flows:
        return BpmnElementType.SEQUENCE_FLOW
    return BpmnElementType.UNSPECIFIED


def _migrate_job(
    ctx: ProcessingContext, instance: ElementInstance, target: DeployedProcess, target_id: str
) -> None:
    if instance.job_key == -1:
        return
    job = ctx.state.jobs.get(instance.job_key)
    if job is None:
        return
    value = dataclasses.replace(
        job.value,
        element_id=target_id,
        bpmn_process_id=target.bpmn_process_id,
        process_definition_version=target.version,
        process_definition_key=target.key,
    )
    migrated = ctx.event(job.key, JobIntent.MIGRATED, value)
    # Workers see the job as it is now (kept only if it is waiting to be activated).
    ctx.publish_job(job.key, migrated)


def _migrate_incidents(
    ctx: ProcessingContext, instance: ElementInstance, target: DeployedProcess, target_id: str
) -> None:
    incidents = ctx.state.incidents
    for incident_key in incidents.for_element(instance.key):
        incident = incidents.get(incident_key)
        if incident is None:
            continue
        ctx.event(
            incident_key,
            IncidentIntent.MIGRATED,
            dataclasses.replace(
                incident,
                bpmn_process_id=target.bpmn_process_id,
                process_definition_key=target.key,
                element_id=target_id,
            ),
        )


def _migrate_user_task(
    ctx: ProcessingContext, instance: ElementInstance, target: DeployedProcess, target_id: str
) -> None:
    task = ctx.state.user_tasks.for_element(instance.key)
    if task is None:
        return
    ctx.event(
        task.key,
        UserTaskIntent.MIGRATED,
        dataclasses.replace(
            task.value,
            element_id=target_id,
            bpmn_process_id=target.bpmn_process_id,
            process_definition_version=target.version,
            process_definition_key=target.key,
        ),
    )


MIGRATION_PROCESSORS: dict[tuple[ValueType, Intent], CommandProcessor] = {
    (
        ValueType.PROCESS_INSTANCE_MIGRATION,
        ProcessInstanceMigrationIntent.MIGRATE,
    ): migrate_instance,
    (
        ValueType.MESSAGE_SUBSCRIPTION,
        MessageSubscriptionIntent.MIGRATE,
    ): message_subscription_migration.migrate,
}
