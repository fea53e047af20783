"""What client calls return: frozen values built from the engine's answering records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from broker.protocol.values import DEFAULT_TENANT_ID


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    bpmn_process_id: str
    version: int
    process_definition_key: int
    resource_name: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class DeployedDecision:
    decision_id: str
    decision_name: str
    version: int
    decision_key: int
    decision_requirements_id: str
    decision_requirements_key: int
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class DeployedDecisionRequirements:
    decision_requirements_id: str
    decision_requirements_name: str
    version: int
    decision_requirements_key: int
    resource_name: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class DeployedForm:
    form_id: str
    version: int
    form_key: int
    resource_name: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Deployment:
    key: int
    processes: tuple[DeployedProcess, ...]
    decisions: tuple[DeployedDecision, ...] = ()
    decision_requirements: tuple[DeployedDecisionRequirements, ...] = ()
    forms: tuple[DeployedForm, ...] = ()


@dataclass(frozen=True, slots=True)
class EvaluatedValue:
    """An input of a decision table, or an output of a matched rule, with its value."""

    id: str
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class MatchedRule:
    rule_id: str
    rule_index: int
    outputs: tuple[EvaluatedValue, ...]


@dataclass(frozen=True, slots=True)
class EvaluatedDecision:
    """One decision of an evaluation: the one asked for, or one it requires."""

    decision_id: str
    decision_name: str
    decision_key: int
    decision_version: int
    decision_type: str
    output: Any
    inputs: tuple[EvaluatedValue, ...] = ()
    matched_rules: tuple[MatchedRule, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """What `evaluate_decision` returns: the decision's output and every decision evaluated
    on the way (required decisions first, the one asked for last)."""

    key: int
    decision_id: str
    decision_name: str
    decision_version: int
    decision_key: int
    decision_requirements_id: str
    decision_requirements_key: int
    output: Any
    evaluated_decisions: tuple[EvaluatedDecision, ...] = ()
    failed_decision_id: str = ""
    failure_message: str = ""


@dataclass(frozen=True, slots=True)
class InstanceResult:
    process_instance_key: int
    bpmn_process_id: str
    version: int
    process_definition_key: int
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActivatedJob:
    key: int
    type: str
    variables: dict[str, Any]
    custom_headers: dict[str, str]
    retries: int
    deadline: int
    worker: str
    element_id: str
    element_instance_key: int
    process_instance_key: int
    bpmn_process_id: str
    process_definition_key: int
    retry_backoff: int = 0
    """Milliseconds the job waited after its last failure (0 if it never failed, or failed
    without back-off); the worker's exponential back-off grows from it."""
    tenant_id: str = DEFAULT_TENANT_ID
    """The tenant the job's process instance belongs to."""
