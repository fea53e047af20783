"""Values of deployed DMN decisions and of their evaluations, with Zeebe's field names.

A `.dmn` resource deploys one decision requirements graph (DECISION_REQUIREMENTS, the file) and
its decisions (DECISION, one per decision). A DECISION_EVALUATION records one evaluation: of a
business rule task, or asked for by a client (EVALUATE). Decision outputs and input and output
values are JSON text, as in Zeebe's records (`"\\"gold\\""` for the string `gold`).
"""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    ValueObject,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)


@dataclass(frozen=True, slots=True)
class DecisionRecordValue(RecordValue):
    """One deployed decision version. The record's `key` is the decision key; also the shape
    of the deployment's `decisionsMetadata`."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.DECISION
    SCHEMA_NAME: ClassVar[str] = "decision"

    decision_id: str = prop("The id of the decision in the DMN.", default="")
    decision_name: str = prop("The name of the decision.", default="")
    version: int = prop("The version of the decision.", default=-1)
    decision_key: int = key_prop("The key of the deployed decision.")
    decision_requirements_id: str = prop(
        "The id of the decision requirements graph (the DMN `definitions`) it belongs to.",
        default="",
    )
    decision_requirements_key: int = key_prop("The key of its decision requirements graph.")
    duplicate: bool = prop(
        "True if the decision was deployed before unchanged; no new version was created.",
        default=False,
    )
    deployment_key: int = key_prop("The key of the deployment that created this version.")
    version_tag: str = prop("The version tag given in the DMN, if any.", default="")
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class DecisionRequirementsRecordValue(RecordValue):
    """One deployed decision requirements graph (a DMN file). The record's `key` is its key;
    without `resource` also the shape of the deployment's `decisionRequirementsMetadata`."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.DECISION_REQUIREMENTS
    SCHEMA_NAME: ClassVar[str] = "decision-requirements"

    decision_requirements_id: str = prop("The id of the DMN `definitions`.", default="")
    decision_requirements_name: str = prop("The name of the DMN `definitions`.", default="")
    decision_requirements_version: int = prop("The version of the graph.", default=-1)
    decision_requirements_key: int = key_prop("The key of the deployed graph.")
    namespace: str = prop("The namespace of the DMN `definitions`.", default="")
    resource_name: str = prop("The file the graph was deployed from.", default="")
    checksum: bytes = prop(
        "Digest of the resource, base64-encoded in JSON; equal digests mean an unchanged graph.",
        default=b"",
    )
    resource: bytes = prop(
        "The DMN XML, base64-encoded in JSON (empty in a deployment's metadata).", default=b""
    )
    duplicate: bool = prop(
        "True if the graph was deployed before unchanged; no new version was created.",
        default=False,
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class EvaluatedInput(ValueObject):
    """The value of one input of a decision table."""

    input_id: str = prop("The id of the input.", default="")
    input_name: str = prop("The label of the input.", default="")
    input_value: str = prop("The value, as JSON text.", default="null")


@dataclass(frozen=True, slots=True)
class EvaluatedOutput(ValueObject):
    """The value of one output of a matched rule."""

    output_id: str = prop("The id of the output.", default="")
    output_name: str = prop("The name of the output.", default="")
    output_value: str = prop("The value, as JSON text.", default="null")


@dataclass(frozen=True, slots=True)
class MatchedRule(ValueObject):
    """A rule of a decision table whose input entries all matched."""

    rule_id: str = prop("The id of the rule.", default="")
    rule_index: int = prop("The position of the rule in the table, from 1.", default=-1)
    evaluated_outputs: tuple[EvaluatedOutput, ...] = prop("The rule's outputs.", default=())


@dataclass(frozen=True, slots=True)
class EvaluatedDecision(ValueObject):
    """One decision evaluated: the decision called or one it requires, in evaluation order."""

    decision_id: str = prop("The id of the decision.", default="")
    decision_name: str = prop("The name of the decision.", default="")
    decision_key: int = key_prop("The key of the deployed decision.")
    decision_version: int = prop("The version of the deployed decision.", default=-1)
    decision_type: str = prop(
        "DECISION_TABLE, LITERAL_EXPRESSION, CONTEXT, RELATION, LIST, INVOCATION, ...",
        default="",
    )
    decision_output: str = prop("The decision's output, as JSON text.", default="null")
    evaluated_inputs: tuple[EvaluatedInput, ...] = prop(
        "A decision table's inputs and their values.", default=()
    )
    matched_rules: tuple[MatchedRule, ...] = prop(
        "A decision table's matched rules with their outputs.", default=()
    )
    decision_evaluation_instance_key: str = prop(
        "`<evaluation key>-<position>`: this decision within its evaluation.", default=""
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class DecisionEvaluationRecordValue(RecordValue):
    """An evaluation of a decision. The record's `key` is the evaluation key. EVALUATE (a
    client's command) names the decision by `decisionId` (its latest version) or
    `decisionKey` and carries `variables`; EVALUATED carries the output, FAILED the failure."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.DECISION_EVALUATION
    SCHEMA_NAME: ClassVar[str] = "decision-evaluation"

    decision_key: int = key_prop("The key of the decision evaluated.")
    decision_id: str = prop("The id of the decision evaluated.", default="")
    decision_name: str = prop("The name of the decision evaluated.", default="")
    decision_version: int = prop("The version of the decision evaluated.", default=-1)
    decision_requirements_id: str = prop("The id of its decision requirements graph.", default="")
    decision_requirements_key: int = key_prop("The key of its decision requirements graph.")
    decision_output: str = prop(
        "The output of the decision (EVALUATED), as JSON text.", default="null"
    )
    variables: dict[str, Any] = variables_prop(
        "EVALUATE: the variables the decision is evaluated with, as a JSON object."
    )
    bpmn_process_id: str = prop("The process of the business rule task, if any.", default="")
    process_definition_key: int = key_prop("The process definition of the task.")
    process_instance_key: int = key_prop("The process instance of the task.")
    element_id: str = prop("The business rule task's id, if any.", default="")
    element_instance_key: int = key_prop("The business rule task's element instance.")
    evaluated_decisions: tuple[EvaluatedDecision, ...] = prop(
        "Every decision evaluated, required decisions first.", default=()
    )
    evaluation_failure_message: str = prop("FAILED: why the evaluation failed.", default="")
    failed_decision_id: str = prop("FAILED: the decision that failed.", default="")
    tenant_id: str = tenant_prop()
