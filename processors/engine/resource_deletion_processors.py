"""RESOURCE_DELETION DELETE (Zeebe 8.8's ResourceDeletionDeleteProcessor): delete the process
definition, decision requirements graph (with its decisions) or form whose key is given,
between RESOURCE_DELETION DELETING and DELETED, then distribute the command to every other
partition, which does the same and acknowledges (`distribution_behavior`). The answer is the
DELETING event.

A process definition: PROCESS DELETING, then — if it was the latest version — its start
events closed (start timers on the partition that deployed it, message and signal start
subscriptions everywhere) and those of the version before it, the new latest, opened; then
PROCESS DELETED. Zeebe 8.8 refuses to delete a definition while an instance of it runs on the
partition (INVALID_STATE); a partition that refuses a distributed deletion does not
acknowledge it and gets it again later, so the definition goes there once its instances
have ended. An unknown key is NOT_FOUND (and acknowledged, when distributed)."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.intents import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    MessageStartEventSubscriptionIntent,
    ProcessIntent,
    ResourceDeletionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from broker.protocol.keys import decode_partition
from broker.protocol.values import (
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    FormRecordValue,
    ProcessRecordValue,
    ResourceDeletionRecordValue,
)
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.signal_behavior import replace_signal_start_subscriptions
from processors.engine.bpmn.timer_behavior import replace_start_timers, start_timer_schedules
from processors.engine.context import CommandRejected, ProcessingContext
from processors.engine.distribution_behavior import (
    acknowledge,
    distribute,
    is_own_resend,
    resend,
)
from processors.engine.message_start_behavior import replace_start_subscriptions
from processors.engine.state import DeployedForm, DeployedProcess
from processors.engine.state.decision_state import DeployedDrg


def delete_resource(command: Record[ResourceDeletionRecordValue], ctx: ProcessingContext) -> None:
    if is_own_resend(ctx, command):
        resend(ctx, command)
        return
    distributed = command.key != -1
    value = command.value
    resource_key = value.resource_key
    process = ctx.state.processes.by_key(resource_key)
    drg = None if process is not None else ctx.state.decisions.drg(resource_key)
    form = None if process is not None or drg is not None else ctx.state.forms.by_key(resource_key)
    if process is None and drg is None and form is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to delete resource but no resource found with key `{resource_key}`",
        )
        if distributed:
            acknowledge(ctx, command)
        return
    key = command.key if distributed else ctx.next_key()
    deleting = ctx.event(key, ResourceDeletionIntent.DELETING, value)
    if process is not None:
        _delete_process(ctx, process)
    elif drg is not None:
        _delete_drg(ctx, drg)
    elif form is not None:
        _delete_form(ctx, form)
    ctx.event(key, ResourceDeletionIntent.DELETED, value)
    if distributed:
        acknowledge(ctx, command)
    else:
        distribute(ctx, Record.command(ResourceDeletionIntent.DELETE, value, key=key))
        ctx.respond(deleting)


def _delete_process(ctx: ProcessingContext, process: DeployedProcess) -> None:
    if ctx.state.elements.runs_definition(process.key):
        raise CommandRejected(
            RejectionType.INVALID_STATE,
            f"Expected to delete resource with key `{process.key}` but there are still running"
            " instances",
        )
    record = ProcessRecordValue(
        bpmn_process_id=process.bpmn_process_id,
        version=process.version,
        process_definition_key=process.key,
        resource_name=process.resource_name,
        deployment_key=process.deployment_key,
        version_tag=process.version_tag,
        tenant_id=process.tenant_id,
    )
    processes = ctx.state.processes
    tenant = process.tenant_id
    was_latest = processes.latest_version(process.bpmn_process_id, tenant) == process.version
    ctx.event(ctx.next_key(), ProcessIntent.DELETING, record)
    if was_latest:
        _close_start_events(ctx, process)
        previous = processes.latest(process.bpmn_process_id, tenant)
        if previous is not None:
            _open_start_events(ctx, process, previous)
    ctx.event(ctx.next_key(), ProcessIntent.DELETED, record)


def _close_start_events(ctx: ProcessingContext, process: DeployedProcess) -> None:
    timers = ctx.state.timers
    for timer_key in list(timers.start_timers(process.key)):
        timer = timers.get(timer_key)
        if timer is not None:
            ctx.event(timer_key, TimerIntent.CANCELED, timer)
    process_id, tenant = process.bpmn_process_id, process.tenant_id
    for message in ctx.state.message_subscriptions.start_subscriptions_of(process_id, tenant):
        if message.value.process_definition_key == process.key:
            ctx.event(message.key, MessageStartEventSubscriptionIntent.DELETED, message.value)
    for signal in ctx.state.signal_subscriptions.start_subscriptions_of(process_id, tenant):
        if signal.value.process_definition_key == process.key:
            ctx.event(signal.key, SignalSubscriptionIntent.DELETED, signal.value)


def _open_start_events(
    ctx: ProcessingContext, deleted: DeployedProcess, previous: DeployedProcess
) -> None:
    """The start events of the new latest version: its timers on the partition that deployed
    it (as at deployment), its message and signal start subscriptions on every partition."""
    if decode_partition(previous.key) == ctx.partition_id:
        try:
            schedules = start_timer_schedules(
                ctx.state.processes.executable(previous.key), ctx.now_ms
            )
        except ExpressionFailure:
            schedules = []  # it was deployable; a schedule that fails now starts nothing
        replace_start_timers(ctx, deleted.key, previous.key, schedules)
    replace_start_subscriptions(ctx, previous.key)
    replace_signal_start_subscriptions(ctx, previous.key)


def _delete_drg(ctx: ProcessingContext, drg: DeployedDrg) -> None:
    decisions = ctx.state.decisions
    for _, (decision_key, _version) in sorted(drg.decisions.items()):
        decision = decisions.by_key(decision_key)
        if decision is None:
            continue
        ctx.event(
            ctx.next_key(),
            DecisionIntent.DELETED,
            DecisionRecordValue(
                decision_id=decision.decision_id,
                decision_name=decision.decision_name,
                version=decision.version,
                decision_key=decision.key,
                decision_requirements_id=decision.decision_requirements_id,
                decision_requirements_key=decision.decision_requirements_key,
                deployment_key=decision.deployment_key,
                version_tag=decision.version_tag,
                tenant_id=decision.tenant_id,
            ),
        )
    ctx.event(
        ctx.next_key(),
        DecisionRequirementsIntent.DELETED,
        DecisionRequirementsRecordValue(
            decision_requirements_id=drg.decision_requirements_id,
            decision_requirements_name=drg.name,
            decision_requirements_version=drg.version,
            decision_requirements_key=drg.key,
            namespace=drg.namespace,
            resource_name=drg.resource_name,
            checksum=bytes.fromhex(drg.checksum),
            tenant_id=drg.tenant_id,
        ),
    )


def _delete_form(ctx: ProcessingContext, form: DeployedForm) -> None:
    ctx.event(
        ctx.next_key(),
        FormIntent.DELETED,
        FormRecordValue(
            form_id=form.form_id,
            version=form.version,
            form_key=form.key,
            resource_name=form.resource_name,
            checksum=bytes.fromhex(form.checksum),
            resource=form.resource,
            deployment_key=form.deployment_key,
            version_tag=form.version_tag,
            tenant_id=form.tenant_id,
        ),
    )
