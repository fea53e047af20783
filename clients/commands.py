"""Client calls as commands and their answers as results, shared by the sync and the async
client so both behave identically: argument checks, partition routing (by key, round-robin
for new instances, every partition for job activation), and rejection → exception."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from broker.protocol import Record, decode_partition
from broker.protocol.intents import (
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    SignalIntent,
    VariableDocumentIntent,
)
from broker.protocol.values import (
    DEFAULT_TENANT_ID,
    DecisionEvaluationRecordValue,
    DeploymentRecordValue,
    DeploymentResource,
    IncidentRecordValue,
    JobBatchRecordValue,
    JobRecordValue,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
    SignalRecordValue,
    StartInstruction,
    VariableDocumentRecordValue,
    VariableDocumentUpdateSemantic,
)
from broker.protocol.values import EvaluatedDecision as EvaluatedDecisionValue
from clients.errors import DecisionEvaluationError, ResourceError, rejection_error
from clients.results import (
    ActivatedJob,
    DecisionResult,
    DeployedDecision,
    DeployedDecisionRequirements,
    DeployedForm,
    DeployedProcess,
    Deployment,
    EvaluatedDecision,
    EvaluatedValue,
    InstanceResult,
    MatchedRule,
)

DEPLOYMENT_PARTITION = 1


def seconds_to_ms(seconds: float) -> int:
    return round(seconds * 1000)


def check(answer: Record[Any]) -> Record[Any]:
    if answer.is_rejection:
        raise rejection_error(
            answer.rejection_type.value,
            answer.rejection_reason,
            f"{answer.value_type.value} {answer.intent.value}",
        )
    return answer


def partition_of(key: int) -> int:
    try:
        return decode_partition(key)
    except ValueError:
        return DEPLOYMENT_PARTITION


class RoundRobin:
    def __init__(self, partition_count: int) -> None:
        self._cycle = itertools.cycle(range(1, partition_count + 1))

    def next(self) -> int:
        return next(self._cycle)


# DMN 1.1-1.5 namespaces all contain it; the engine tells a resource's kind by its name.
_DMN_MARK = b"omg.org/spec/DMN/"


def deploy_command(resources: tuple[str | Path | bytes, ...]) -> Record[Any]:
    if not resources:
        raise ResourceError("deploy needs at least one resource (a path or BPMN XML bytes)")
    items = []
    for index, resource in enumerate(resources):
        if isinstance(resource, bytes):
            suffix = ".dmn" if _DMN_MARK in resource[:4096] else ".bpmn"
            items.append(DeploymentResource(f"resource-{index + 1}{suffix}", resource))
            continue
        path = Path(resource)
        try:
            items.append(DeploymentResource(path.name, path.read_bytes()))
        except OSError as error:
            raise ResourceError(f"cannot read resource '{path}': {error.strerror}") from None
    return Record.command(DeploymentIntent.CREATE, DeploymentRecordValue(resources=tuple(items)))


def deployment_result(answer: Record[Any]) -> Deployment:
    value = check(answer).value
    return Deployment(
        key=answer.key,
        processes=tuple(
            DeployedProcess(
                bpmn_process_id=m.bpmn_process_id,
                version=m.version,
                process_definition_key=m.process_definition_key,
                resource_name=m.resource_name,
                duplicate=m.duplicate,
            )
            for m in value.processes_metadata
        ),
        decisions=tuple(
            DeployedDecision(
                decision_id=d.decision_id,
                decision_name=d.decision_name,
                version=d.version,
                decision_key=d.decision_key,
                decision_requirements_id=d.decision_requirements_id,
                decision_requirements_key=d.decision_requirements_key,
                duplicate=d.duplicate,
            )
            for d in value.decisions_metadata
        ),
        decision_requirements=tuple(
            DeployedDecisionRequirements(
                decision_requirements_id=r.decision_requirements_id,
                decision_requirements_name=r.decision_requirements_name,
                version=r.decision_requirements_version,
                decision_requirements_key=r.decision_requirements_key,
                resource_name=r.resource_name,
                duplicate=r.duplicate,
            )
            for r in value.decision_requirements_metadata
        ),
        forms=tuple(
            DeployedForm(
                form_id=f.form_id,
                version=f.version,
                form_key=f.form_key,
                resource_name=f.resource_name,
                duplicate=f.duplicate,
            )
            for f in value.form_metadata
        ),
    )


def create_command(
    bpmn_process_id: str,
    variables: dict[str, Any] | None,
    version: int | None,
    with_result: bool,
    fetch_variables: tuple[str, ...] = (),
    start_instructions: tuple[str, ...] = (),
) -> Record[Any]:
    intent = (
        ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
        if with_result
        else ProcessInstanceCreationIntent.CREATE
    )
    return Record.command(
        intent,
        ProcessInstanceCreationRecordValue(
            bpmn_process_id=bpmn_process_id,
            version=-1 if version is None else version,
            variables=dict(variables or {}),
            fetch_variables=fetch_variables,
            start_instructions=tuple(StartInstruction(e) for e in start_instructions),
        ),
    )


def create_result(answer: Record[Any], with_result: bool) -> int | InstanceResult:
    value = check(answer).value
    if not with_result:
        return int(value.process_instance_key)
    return InstanceResult(
        process_instance_key=value.process_instance_key,
        bpmn_process_id=value.bpmn_process_id,
        version=value.version,
        process_definition_key=value.process_definition_key,
        variables=dict(value.variables),
    )


def cancel_command(key: int) -> Record[Any]:
    return Record.command(ProcessInstanceIntent.CANCEL, ProcessInstanceRecordValue(), key=key)


def activate_command(job_type: str, max_jobs: int, timeout: float, worker: str) -> Record[Any]:
    return activate_command_ms(job_type, max_jobs, seconds_to_ms(timeout), worker)


def activate_command_ms(
    job_type: str,
    max_jobs: int,
    timeout_ms: int,
    worker: str,
    tenant_ids: tuple[str, ...] = (),
) -> Record[Any]:
    """JOB_BATCH ACTIVATE; `tenant_ids` only when other than just the default tenant (which
    the engine assumes when it names none), so the default's command stays as it was."""
    if tenant_ids == (DEFAULT_TENANT_ID,):
        tenant_ids = ()
    return Record.command(
        JobBatchIntent.ACTIVATE,
        JobBatchRecordValue(
            type=job_type,
            worker=worker,
            timeout=timeout_ms,
            max_jobs_to_activate=max_jobs,
            tenant_ids=tenant_ids,
        ),
    )


def activated_jobs(answer: Record[Any]) -> list[ActivatedJob]:
    value = check(answer).value
    return [
        ActivatedJob(
            key=key,
            type=job.type,
            variables=dict(job.variables),
            custom_headers=dict(job.custom_headers),
            retries=job.retries,
            deadline=job.deadline,
            worker=job.worker,
            element_id=job.element_id,
            element_instance_key=job.element_instance_key,
            process_instance_key=job.process_instance_key,
            bpmn_process_id=job.bpmn_process_id,
            process_definition_key=job.process_definition_key,
            retry_backoff=job.retry_backoff,
            tenant_id=job.tenant_id,
        )
        for key, job in zip(value.job_keys, value.jobs, strict=True)
    ]


def job_command(intent: JobIntent, key: int, **fields: Any) -> Record[Any]:
    return Record.command(intent, JobRecordValue(**fields), key=key)


def fail_fields(
    retries: int, error_message: str, retry_backoff_ms: int, variables: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "retries": retries,
        "error_message": error_message,
        "retry_backoff": retry_backoff_ms,
        "variables": dict(variables or {}),
    }


def evaluate_decision_command(
    decision_id: str | None, decision_key: int | None, variables: dict[str, Any]
) -> Record[Any]:
    return Record.command(
        DecisionEvaluationIntent.EVALUATE,
        DecisionEvaluationRecordValue(
            decision_id=decision_id or "",
            decision_key=-1 if decision_key is None else decision_key,
            variables=variables,
        ),
    )


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _evaluated(d: EvaluatedDecisionValue) -> EvaluatedDecision:
    return EvaluatedDecision(
        decision_id=d.decision_id,
        decision_name=d.decision_name,
        decision_key=d.decision_key,
        decision_version=d.decision_version,
        decision_type=d.decision_type,
        output=_json(d.decision_output),
        inputs=tuple(
            EvaluatedValue(i.input_id, i.input_name, _json(i.input_value))
            for i in d.evaluated_inputs
        ),
        matched_rules=tuple(
            MatchedRule(
                r.rule_id,
                r.rule_index,
                tuple(
                    EvaluatedValue(o.output_id, o.output_name, _json(o.output_value))
                    for o in r.evaluated_outputs
                ),
            )
            for r in d.matched_rules
        ),
    )


def decision_result(answer: Record[Any]) -> DecisionResult:
    """The EVALUATED answer as a result; FAILED raises `DecisionEvaluationError`."""
    value = check(answer).value
    result = DecisionResult(
        key=answer.key,
        decision_id=value.decision_id,
        decision_name=value.decision_name,
        decision_version=value.decision_version,
        decision_key=value.decision_key,
        decision_requirements_id=value.decision_requirements_id,
        decision_requirements_key=value.decision_requirements_key,
        output=_json(value.decision_output),
        evaluated_decisions=tuple(_evaluated(d) for d in value.evaluated_decisions),
        failed_decision_id=value.failed_decision_id,
        failure_message=value.evaluation_failure_message,
    )
    if answer.intent is DecisionEvaluationIntent.FAILED:
        raise DecisionEvaluationError(
            value.decision_id,
            value.failed_decision_id,
            value.evaluation_failure_message,
            result,
        )
    return result


def resolve_command(key: int) -> Record[Any]:
    return Record.command(IncidentIntent.RESOLVE, IncidentRecordValue(), key=key)


def signal_command(signal_name: str, variables: dict[str, Any] | None) -> Record[Any]:
    """SIGNAL BROADCAST, sent to the deployment partition (as Zeebe's gateway does), which
    starts the instances of signal start events and distributes it to the others."""
    return Record.command(
        SignalIntent.BROADCAST,
        SignalRecordValue(signal_name=signal_name, variables=dict(variables or {})),
    )


def set_variables_command(
    element_instance_key: int, variables: dict[str, Any], local: bool
) -> Record[Any]:
    semantic = (
        VariableDocumentUpdateSemantic.LOCAL if local else VariableDocumentUpdateSemantic.PROPAGATE
    )
    return Record.command(
        VariableDocumentIntent.UPDATE,
        VariableDocumentRecordValue(
            scope_key=element_instance_key,
            update_semantics=semantic,
            variables=dict(variables),
        ),
    )
