"""DEPLOYMENT CREATE: parse and validate every resource (`.dmn` files in
`decision_deployment`), give the processes new versions, and
distribute the deployment to every other partition until each acknowledges it. As in Zeebe the
resources of a deployment are versioned together: a deployment whose every process is
unchanged keeps their versions (reported as duplicates), any other gives every process a new
version."""

from __future__ import annotations

import datetime as dt
import hashlib

from bpmn import BpmnError, Definitions, load
from bpmn.deployment_rules import (
    duplicate_process_ids,
    start_timer_problems,
    unbound_calls,
    unbound_decisions,
)
from broker.protocol import Record, RejectionType
from broker.protocol.intents import CommandDistributionIntent, DeploymentIntent, ProcessIntent
from broker.protocol.keys import decode_partition
from broker.protocol.values import (
    CommandDistributionRecordValue,
    DeploymentRecordValue,
    ProcessMetadata,
    ProcessRecordValue,
)
from processors.engine import decision_deployment
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.signal_behavior import replace_signal_start_subscriptions
from processors.engine.bpmn.timer_behavior import (
    TimerSchedule,
    replace_start_timers,
    start_timer_schedules,
)
from processors.engine.context import ProcessingContext
from processors.engine.distribution_behavior import distribute, is_own_resend, resend
from processors.engine.form_deployment import (
    apply_distributed_forms,
    create_forms,
    forms_unchanged,
    is_form,
    parse_forms,
)
from processors.engine.message_start_behavior import replace_start_subscriptions


def _checksum(resource: bytes) -> bytes:
    return hashlib.md5(resource, usedforsecurity=False).digest()


def create_deployment(command: Record[DeploymentRecordValue], ctx: ProcessingContext) -> None:
    value = command.value
    if is_own_resend(ctx, command):
        resend(ctx, command)
        return
    if command.key != -1 and (
        value.processes_metadata or value.form_metadata or value.decision_requirements_metadata
    ):
        reason = _distributed_problem(command)
        if reason is not None:
            ctx.reject(RejectionType.INVALID_ARGUMENT, reason)
            return
        _apply_distributed(command, ctx)
        return
    if not value.resources:
        ctx.reject(
            RejectionType.INVALID_ARGUMENT,
            "Expected to deploy at least one resource, but none given",
        )
        return
    forms = parse_forms(value.resources)
    if isinstance(forms, str):
        ctx.reject(RejectionType.INVALID_ARGUMENT, forms)
        return
    loaded: list[tuple[str, Definitions]] = []
    drgs: list[decision_deployment.LoadedDrg] = []
    bpmn_resources = []
    for resource in (r for r in value.resources if not is_form(r)):
        try:
            if decision_deployment.is_dmn(resource.resource_name):
                drgs.append(decision_deployment.load_drg(resource))
                continue
            loaded.append(
                (
                    resource.resource_name,
                    load(resource.resource, source_name=resource.resource_name),
                )
            )
            bpmn_resources.append(resource)
        except BpmnError as error:
            ctx.reject(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to deploy new resources, but encountered the following errors:\n"
                f"'{resource.resource_name}': {error}",
            )
            return
    # the rules `honeyflow validate` applies too
    decision_ids = {d.id for drg in drgs for d in drg.graph.decisions}
    reason = _deployment_errors(
        loaded, dt.datetime.fromtimestamp(ctx.now_ms / 1000, dt.UTC), decision_ids
    )
    reason = reason or decision_deployment.drg_problems(drgs)
    if reason:
        ctx.reject(RejectionType.INVALID_ARGUMENT, reason)
        return
    found: list[tuple[str, str, bytes, str]] = []  # (process id, resource name, bytes, tag)
    start_timers: dict[str, list[tuple[str, TimerSchedule]]] = {}
    for resource, (_, definitions) in zip(bpmn_resources, loaded, strict=True):
        for process in definitions.processes:
            try:
                start_timers[process.bpmn_process_id] = start_timer_schedules(process, ctx.now_ms)
            except ExpressionFailure as failure:
                ctx.reject(
                    RejectionType.INVALID_ARGUMENT,
                    "Expected to deploy new resources, but encountered the following errors:\n"
                    f"'{resource.resource_name}': {failure.message}",
                )
                return
            found.append(
                (
                    process.bpmn_process_id,
                    resource.resource_name,
                    resource.resource,
                    process.version_tag or "",
                )
            )
    deployment_key = ctx.next_key()
    metadata = []
    processes = ctx.state.processes
    tenant = value.tenant_id
    # Zeebe versions the resources of a deployment together: unless every one is unchanged,
    # the unchanged ones get a new version too (so that binding type 'deployment' finds them).
    duplicates_only = (
        all(
            (latest := processes.latest(process_id, tenant)) is not None
            and latest.checksum == _checksum(data).hex()
            for process_id, _, data, _ in found
        )
        and forms_unchanged(ctx, forms, tenant)
        and decision_deployment.unchanged(ctx.state, drgs, tenant)
    )
    for process_id, resource_name, data, tag in found:
        checksum = _checksum(data)
        latest = processes.latest(process_id, tenant)
        if duplicates_only and latest is not None:
            metadata.append(
                ProcessMetadata(
                    bpmn_process_id=process_id,
                    version=latest.version,
                    process_definition_key=latest.key,
                    resource_name=resource_name,
                    checksum=checksum,
                    duplicate=True,
                    deployment_key=latest.deployment_key,
                    version_tag=tag,
                    tenant_id=tenant,
                )
            )
            continue
        key = ctx.next_key()
        version = processes.next_version(process_id, tenant)
        ctx.event(
            key,
            ProcessIntent.CREATED,
            ProcessRecordValue(
                bpmn_process_id=process_id,
                version=version,
                process_definition_key=key,
                resource_name=resource_name,
                checksum=checksum,
                resource=data,
                deployment_key=deployment_key,
                version_tag=tag,
                tenant_id=tenant,
            ),
        )
        # Timer start events live on the deployment's partition only (one instance per fire).
        replace_start_timers(
            ctx, None if latest is None else latest.key, key, start_timers[process_id]
        )
        replace_start_subscriptions(ctx, key)
        replace_signal_start_subscriptions(ctx, key)
        metadata.append(
            ProcessMetadata(
                bpmn_process_id=process_id,
                version=version,
                process_definition_key=key,
                resource_name=resource_name,
                checksum=checksum,
                deployment_key=deployment_key,
                version_tag=tag,
                tenant_id=tenant,
            )
        )
    decisions, requirements = decision_deployment.deploy_drgs(
        ctx, drgs, deployment_key, duplicates_only, tenant
    )
    created = DeploymentRecordValue(
        resources=value.resources,
        processes_metadata=tuple(metadata),
        form_metadata=create_forms(ctx, forms, deployment_key, duplicates_only, tenant),
        decisions_metadata=decisions,
        decision_requirements_metadata=requirements,
        deployment_key=deployment_key,
        tenant_id=tenant,
    )
    ctx.respond(ctx.event(deployment_key, DeploymentIntent.CREATED, created))
    _distribute(ctx, deployment_key, created)


def _deployment_errors(
    loaded: list[tuple[str, Definitions]], now: dt.datetime, decision_ids: set[str]
) -> str:
    """The rejection reason for the deployment rules that fail, in Zeebe's layout ('' when
    none does): a duplicated process id says it alone, calls and decisions bound to the
    deployment are listed per resource, a timer start event's failure names its resource."""
    duplicated = duplicate_process_ids(loaded)
    if duplicated:
        return duplicated[0].message
    prefix = "Expected to deploy new resources, but encountered the following errors:\n"
    by_resource: dict[str, list[str]] = {}
    for problem in [*unbound_calls(loaded), *unbound_decisions(loaded, decision_ids)]:
        extension = problem.element_path.rsplit(" > ", 1)[-1]  # calledElement, calledDecision
        by_resource.setdefault(problem.file, []).append(
            f"- Element: {problem.element_id} > extensionElements > {extension}\n"
            f"    - ERROR: {problem.message}"
        )
    if by_resource:
        return prefix + "\n".join(
            f"'{name}':\n" + "\n".join(lines) + "\n" for name, lines in by_resource.items()
        )
    timers = start_timer_problems(loaded, now)
    if timers:
        return prefix + f"'{timers[0].file}': {timers[0].message}"
    return ""


def _distribute(ctx: ProcessingContext, key: int, created: DeploymentRecordValue) -> None:
    distribute(ctx, Record.command(DeploymentIntent.CREATE, created, key=key))


def _distributed_problem(command: Record[DeploymentRecordValue]) -> str | None:
    """Why a deployment that says it was distributed (a key and metadata) cannot be one: the
    engine's own carry the key of their partition and every resource their metadata names."""
    try:
        decode_partition(command.key)
    except ValueError:
        return (
            f"Expected a distributed deployment to carry the key of the partition that"
            f" deployed it, but it carries '{command.key}'"
        )
    data = {r.resource_name: r.resource for r in command.value.resources}
    for form in command.value.form_metadata:
        if not form.duplicate and form.resource_name not in data:
            return (
                f"Expected a distributed deployment to carry the resource"
                f" '{form.resource_name}' of form '{form.form_id}', but it does not"
            )
    for meta in command.value.processes_metadata:
        if meta.duplicate:
            continue
        where = f"the resource '{meta.resource_name}' of process '{meta.bpmn_process_id}'"
        if meta.resource_name not in data:
            return f"Expected a distributed deployment to carry {where}, but it does not"
        try:
            load(data[meta.resource_name], source_name=meta.resource_name).process(
                meta.bpmn_process_id
            )
        except (BpmnError, KeyError):
            return f"Expected a distributed deployment to carry {where}, but it does not hold it"
    return None


def _apply_distributed(command: Record[DeploymentRecordValue], ctx: ProcessingContext) -> None:
    """A deployment distributed from another partition: same keys, idempotent."""
    value = command.value
    if not ctx.state.processes.deployment_exists(command.key):
        data = {r.resource_name: r.resource for r in value.resources}
        for meta in value.processes_metadata:
            if meta.duplicate or ctx.state.processes.by_key(meta.process_definition_key):
                continue
            ctx.event(
                meta.process_definition_key,
                ProcessIntent.CREATED,
                ProcessRecordValue(
                    bpmn_process_id=meta.bpmn_process_id,
                    version=meta.version,
                    process_definition_key=meta.process_definition_key,
                    resource_name=meta.resource_name,
                    checksum=meta.checksum,
                    resource=data[meta.resource_name],
                    deployment_key=meta.deployment_key,
                    version_tag=meta.version_tag,
                    tenant_id=meta.tenant_id,
                ),
            )
            replace_start_subscriptions(ctx, meta.process_definition_key)
            replace_signal_start_subscriptions(ctx, meta.process_definition_key)
        apply_distributed_forms(ctx, value)
        decision_deployment.apply_distributed(ctx, value)
        ctx.event(command.key, DeploymentIntent.CREATED, value)
    ctx.send(
        decode_partition(command.key),
        Record.command(
            CommandDistributionIntent.ACKNOWLEDGE,
            CommandDistributionRecordValue(
                partition_id=ctx.partition_id, value_type="DEPLOYMENT", intent="CREATE"
            ),
            key=command.key,
        ),
    )


def acknowledge_distribution(
    command: Record[CommandDistributionRecordValue], ctx: ProcessingContext
) -> None:
    partition = command.value.partition_id
    if partition not in ctx.state.distributions.pending_partitions(command.key):
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to find a pending distribution with key '{command.key}' for partition"
            f" '{partition}', but none found",
        )
        return
    ctx.event(command.key, CommandDistributionIntent.ACKNOWLEDGED, command.value)
    if not ctx.state.distributions.pending_partitions(command.key):
        ctx.event(
            command.key,
            CommandDistributionIntent.FINISHED,
            CommandDistributionRecordValue(partition_id=ctx.partition_id),
        )
