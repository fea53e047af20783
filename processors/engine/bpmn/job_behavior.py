"""Jobs of job-worker tasks: evaluate type and retries, create the job, cancel it when its
element is terminated."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn.job_types import job_type_problem
from broker.protocol.intents import JobIntent
from broker.protocol.values import JobRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed


@dataclass(frozen=True, slots=True)
class JobProperties:
    type: str
    retries: int


def evaluate_job_properties(call: ElementCall) -> JobProperties:
    """Raises ExpressionFailure (an EXTRACT_VALUE_ERROR incident for the caller)."""
    node = call.require_node()
    job = node.job
    if job is None:
        raise ExpressionFailure(f"Expected element '{node.id}' to have a job definition")
    # Static type and retries (the common case) need no variables.
    static = job.type.compiled is None and job.retries.compiled is None
    variables = {} if static else call.ctx.state.variables.visible(call.key)
    job_type = evaluate_typed(job.type, variables, call.ctx.now_ms, str)
    if not job.type.is_static:
        # A static type was checked at deployment; one from an expression is checked here, so
        # that a job no worker topic can hold never exists (bpmn.job_types).
        problem = job_type_problem(job_type)
        if problem is not None:
            raise ExpressionFailure(
                f"Expected result of the expression '{job.type.feel_text}' to be a usable job"
                f" type, but {problem}."
            )
    retries = evaluate_typed(job.retries, variables, call.ctx.now_ms, int)
    return JobProperties(job_type, int(retries))


def create_job(call: ElementCall, properties: JobProperties) -> None:
    node = call.require_node()
    headers = node.job.header_map() if node.job is not None else {}
    value = call.value
    call.ctx.event(
        call.ctx.next_key(),
        JobIntent.CREATED,
        JobRecordValue(
            type=properties.type,
            custom_headers=headers,
            retries=properties.retries,
            element_id=value.element_id,
            element_instance_key=call.key,
            bpmn_process_id=value.bpmn_process_id,
            process_definition_version=value.version,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
        ),
    )


def cancel_job(call: ElementCall) -> None:
    instance = call.instance
    if instance is None or instance.job_key == -1:
        return
    job = call.ctx.state.jobs.get(instance.job_key)
    if job is not None:
        call.ctx.event(instance.job_key, JobIntent.CANCELED, job.value)
