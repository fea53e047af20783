"""Raising and resolving incidents for element instances (the element stays where it failed;
resolving runs the failed step again)."""

from __future__ import annotations

from broker.protocol.intents import IncidentIntent
from broker.protocol.values import ErrorType, IncidentRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.context import ProcessingContext


def raise_incident(
    call: ElementCall,
    error_type: ErrorType,
    message: str,
    *,
    job_key: int = -1,
    variable_scope_key: int | None = None,
) -> None:
    value = call.value
    call.ctx.event(
        call.ctx.next_key(),
        IncidentIntent.CREATED,
        IncidentRecordValue(
            error_type=error_type,
            error_message=message,
            bpmn_process_id=value.bpmn_process_id,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            element_id=value.element_id,
            element_instance_key=call.key,
            job_key=job_key,
            variable_scope_key=call.key if variable_scope_key is None else variable_scope_key,
            tenant_id=value.tenant_id,
        ),
    )


def resolve_element_incidents(ctx: ProcessingContext, element_instance_key: int) -> None:
    for incident_key in ctx.state.incidents.for_element(element_instance_key):
        incident = ctx.state.incidents.get(incident_key)
        if incident is not None:
            resolved = ctx.event(incident_key, IncidentIntent.RESOLVED, incident)
            if incident.job_key > 0:  # published if still activatable when the batch ends
                ctx.publish_job(incident.job_key, resolved)
