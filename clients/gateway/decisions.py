"""Zeebe's gRPC shapes of decisions: the decision and decision requirements entries of a
DeployResource response, and the EvaluateDecision response (a FAILED evaluation is answered,
not refused, with `failedDecisionId` and `failureMessage` set, as Zeebe's gateway does)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from broker.protocol import Record
from broker.protocol.values import DeploymentRecordValue, EvaluatedDecision


def deployed_decisions(value: DeploymentRecordValue) -> Iterator[pb.Deployment]:
    for d in value.decisions_metadata:
        yield pb.Deployment(
            decision=pb.DecisionMetadata(
                dmnDecisionId=d.decision_id,
                dmnDecisionName=d.decision_name,
                version=d.version,
                decisionKey=d.decision_key,
                dmnDecisionRequirementsId=d.decision_requirements_id,
                decisionRequirementsKey=d.decision_requirements_key,
                tenantId=d.tenant_id,
            )
        )
    for r in value.decision_requirements_metadata:
        yield pb.Deployment(
            decisionRequirements=pb.DecisionRequirementsMetadata(
                dmnDecisionRequirementsId=r.decision_requirements_id,
                dmnDecisionRequirementsName=r.decision_requirements_name,
                version=r.decision_requirements_version,
                decisionRequirementsKey=r.decision_requirements_key,
                resourceName=r.resource_name,
                tenantId=r.tenant_id,
            )
        )


def _evaluated(d: EvaluatedDecision) -> pb.EvaluatedDecision:
    return pb.EvaluatedDecision(
        decisionKey=d.decision_key,
        decisionId=d.decision_id,
        decisionName=d.decision_name,
        decisionVersion=d.decision_version,
        decisionType=d.decision_type,
        decisionOutput=d.decision_output,
        matchedRules=[
            pb.MatchedDecisionRule(
                ruleId=r.rule_id,
                ruleIndex=r.rule_index,
                evaluatedOutputs=[
                    pb.EvaluatedDecisionOutput(
                        outputId=o.output_id, outputName=o.output_name, outputValue=o.output_value
                    )
                    for o in r.evaluated_outputs
                ],
            )
            for r in d.matched_rules
        ],
        evaluatedInputs=[
            pb.EvaluatedDecisionInput(
                inputId=i.input_id, inputName=i.input_name, inputValue=i.input_value
            )
            for i in d.evaluated_inputs
        ],
        tenantId=d.tenant_id,
    )


def evaluation_response(answer: Record[Any]) -> pb.EvaluateDecisionResponse:
    v = answer.value
    return pb.EvaluateDecisionResponse(
        decisionKey=v.decision_key,
        decisionId=v.decision_id,
        decisionName=v.decision_name,
        decisionVersion=v.decision_version,
        decisionRequirementsId=v.decision_requirements_id,
        decisionRequirementsKey=v.decision_requirements_key,
        decisionOutput=v.decision_output,
        evaluatedDecisions=[_evaluated(d) for d in v.evaluated_decisions],
        failedDecisionId=v.failed_decision_id,
        failureMessage=v.evaluation_failure_message,
        tenantId=v.tenant_id,
        decisionInstanceKey=answer.key,
    )
