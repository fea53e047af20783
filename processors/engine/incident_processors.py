"""INCIDENT RESOLVE: close the incident and run the failed step again. A job incident needs
retries first (update them, then resolve); the job then becomes activatable. An element
incident re-runs the element's activation or completion, which may raise a new incident.

Re-running an activation is processing the element's ACTIVATE_ELEMENT again, as Zeebe does:
an inner instance of a multi-instance activity gets its loop variables again first (the input
element read anew from the input collection at its index, `loopCounter`, a null output
element), so a collection corrected before resolving is what the instance sees."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.intents import IncidentIntent
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import JOB_RETRIES_ERRORS, BpmnElementType, IncidentRecordValue
from processors.engine.bpmn import multi_instance_behavior
from processors.engine.bpmn.element_call import call_for
from processors.engine.bpmn.element_registry import processor_for
from processors.engine.context import ProcessingContext


def resolve_incident(command: Record[IncidentRecordValue], ctx: ProcessingContext) -> None:
    incident = ctx.state.incidents.get(command.key)
    if incident is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            f"Expected to resolve incident with key '{command.key}', but no such incident was"
            " found",
        )
        return
    if incident.error_type in JOB_RETRIES_ERRORS:
        job = ctx.state.jobs.get(incident.job_key)
        if job is not None and job.value.retries < 1:
            ctx.reject(
                RejectionType.INVALID_STATE,
                f"Expected incident with key '{command.key}' to have a job with retries left,"
                f" but job '{incident.job_key}' has no retries; update its retries first",
            )
            return
    resolved = ctx.event(command.key, IncidentIntent.RESOLVED, incident)
    ctx.respond(resolved)
    if incident.job_key != -1:
        if incident.job_key > 0:  # the applier made the job activatable again
            ctx.publish_job(incident.job_key, resolved)
        return
    instance = ctx.state.elements.get(incident.element_instance_key)
    if instance is None:
        return
    call = call_for(ctx, instance)
    processor = processor_for(call)
    if instance.state is PI.ELEMENT_ACTIVATING:
        scope = ctx.state.elements.get(instance.flow_scope_key)
        if (
            scope is not None
            and scope.element_type is BpmnElementType.MULTI_INSTANCE_BODY
            and not multi_instance_behavior.on_inner_activating(call)
        ):
            return
        processor.on_activate(call)
    elif instance.state is PI.ELEMENT_COMPLETING:
        processor.on_complete(call)
