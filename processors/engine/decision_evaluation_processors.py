"""DECISION_EVALUATION EVALUATE: a client asks for a decision (its latest version by id, or a
version by key) to be evaluated with the given variables. The answer is the EVALUATED or the
FAILED event, as in Zeebe; an unknown decision is a NOT_FOUND rejection."""

from __future__ import annotations

from broker.protocol import Record, RejectionType
from broker.protocol.values import DecisionEvaluationRecordValue
from processors.engine import decision_behavior
from processors.engine.context import ProcessingContext
from processors.engine.state.decision_state import DeployedDecision


def _decision(
    command: Record[DecisionEvaluationRecordValue], ctx: ProcessingContext
) -> DeployedDecision | None:
    value = command.value
    if value.decision_id:
        found, missing = decision_behavior.latest_decision(
            ctx.state, value.decision_id, value.tenant_id
        )
        if found is None:
            ctx.reject(RejectionType.NOT_FOUND, missing)
        return found
    if value.decision_key > -1:
        found = ctx.state.decisions.by_key(value.decision_key)
        if found is not None and found.tenant_id != value.tenant_id:
            found = None  # another tenant's decision is not there for this one
        if found is None:
            ctx.reject(
                RejectionType.NOT_FOUND,
                decision_behavior.lookup_failure(
                    str(value.decision_key), f"no decision found for key '{value.decision_key}'"
                ),
            )
        return found
    ctx.reject(
        RejectionType.INVALID_ARGUMENT,
        "Expected either a decision id or a valid decision key, but none provided",
    )
    return None


def evaluate_decision(
    command: Record[DecisionEvaluationRecordValue], ctx: ProcessingContext
) -> None:
    decision = _decision(command, ctx)
    if decision is None:
        return
    if ctx.state.decisions.drg(decision.decision_requirements_key) is None:
        ctx.reject(
            RejectionType.NOT_FOUND,
            decision_behavior.lookup_failure(
                decision.decision_id,
                f"no drg found for id '{decision.decision_requirements_id}'",
            ),
        )
        return
    result = decision_behavior.evaluate(ctx.state, decision, command.value.variables, ctx.now_ms)
    key = ctx.next_key()
    intent, value = decision_behavior.evaluation_record(
        ctx.state, decision, result, key, tenant_id=command.value.tenant_id
    )
    ctx.respond(ctx.event(key, intent, value))
