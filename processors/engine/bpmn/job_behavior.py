"""Jobs of job-worker tasks: evaluate type and retries, create the job, cancel it when its
element is terminated."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn import Expression
from bpmn.job_types import job_type_problem
from broker.protocol.intents import JobIntent
from broker.protocol.number_ranges import MAX_INT, MIN_INT
from broker.protocol.values import JobKind, JobListenerEventType, JobRecordValue
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_typed
from processors.engine.bpmn.header_expressions import header_value


@dataclass(frozen=True, slots=True)
class JobProperties:
    type: str
    retries: int
    headers: tuple[tuple[str, str], ...] = ()
    """Headers evaluated now (a job-based user task's assignment and dates)."""


def evaluate_job_properties(call: ElementCall) -> JobProperties:
    """Raises ExpressionFailure (an EXTRACT_VALUE_ERROR incident for the caller)."""
    node = call.require_node()
    job = node.job
    if job is None:
        raise ExpressionFailure(f"Expected element '{node.id}' to have a job definition")
    properties = evaluate_type_and_retries(call, job.type, job.retries)
    if not job.header_expressions:
        return properties
    variables = call.ctx.state.variables.visible(call.key)
    headers = tuple(
        (header.key, value)
        for header in job.header_expressions
        if (value := header_value(header, variables, call.ctx.now_ms)) is not None
    )
    return JobProperties(properties.type, properties.retries, headers)


def evaluate_type_and_retries(
    call: ElementCall, type_expression: Expression, retries_expression: Expression
) -> JobProperties:
    """Raises ExpressionFailure. Static ones (the common case) need no variables."""
    static = type_expression.compiled is None and retries_expression.compiled is None
    variables = {} if static else call.ctx.state.variables.visible(call.key)
    job_type = evaluate_typed(type_expression, variables, call.ctx.now_ms, str)
    if not type_expression.is_static:
        # A static type was checked at deployment; one from an expression is checked here, so
        # that a job no worker topic can hold never exists (bpmn.job_types).
        problem = job_type_problem(job_type)
        if problem is not None:
            raise ExpressionFailure(
                f"Expected result of the expression '{type_expression.feel_text}' to be a usable"
                f" job type, but {problem}."
            )
    retries = int(evaluate_typed(retries_expression, variables, call.ctx.now_ms, int))
    if not MIN_INT <= retries <= MAX_INT:
        # Zeebe's records hold retries as an int; a job beyond it could not be failed or
        # answered through any client (and Zeebe would wrap the number around).
        raise ExpressionFailure(
            f"Expected result of the expression '{retries_expression.feel_text}' to be a"
            f" number of retries from {MIN_INT} to {MAX_INT} (a 32-bit integer), but was"
            f" {retries}."
        )
    return JobProperties(job_type, retries)


def create_job(
    call: ElementCall,
    properties: JobProperties,
    *,
    listener: JobListenerEventType | None = None,
) -> None:
    """JOB CREATED for the element's work, or with `listener` for one of its execution
    listeners (which gets the element's task headers, as in Zeebe)."""
    node = call.node
    headers = node.job.header_map() if node is not None and node.job is not None else {}
    if properties.headers:
        headers.update(properties.headers)
    value = call.value
    ctx = call.ctx
    created = ctx.event(
        ctx.next_key(),
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
            job_kind=JobKind.BPMN_ELEMENT if listener is None else JobKind.EXECUTION_LISTENER,
            job_listener_event_type=JobListenerEventType.UNSPECIFIED
            if listener is None
            else listener,
            tenant_id=value.tenant_id,
        ),
    )
    ctx.publish_job(created.key, created)


def cancel_job(call: ElementCall) -> None:
    instance = call.instance
    if instance is None or instance.job_key == -1:
        return
    job = call.ctx.state.jobs.get(instance.job_key)
    if job is not None:
        call.ctx.event(instance.job_key, JobIntent.CANCELED, job.value)
        call.ctx.retract_job(instance.job_key, job.value.type, job.value.tenant_id)
