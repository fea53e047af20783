"""DMN 1.1-1.5 decisions: a DMN file read into a validated, frozen model, and evaluated with
our FEEL the way Camunda's DMN engine (dmn-scala, inside Zeebe) evaluates it.

    drg = parse_dmn(data, "risk.dmn")                  # DecisionRequirementsGraph
    result = evaluate_decision(drg, "risk", {"amount": 120})
    result.output                                      # a JSON value, e.g. "high"

The contract:

- `parse_dmn(data: bytes, resource_name: str) -> DecisionRequirementsGraph` raises
  `bpmn.errors.BpmnParseError` for bytes that are not XML or not DMN, and `DmnValidationError`
  (a `bpmn.errors.BpmnValidationError`, itself a `BpmnError`) carrying every `Problem` (file,
  element id and path, line, message) for a DMN that cannot run: an unknown required
  decision, input or knowledge model, FEEL that does not compile (input expression, input
  entry, output entry, literal expression), an unknown hit policy or aggregation, decisions
  that require each other in a cycle, rules with the wrong number of entries.
- `DecisionRequirementsGraph` (frozen): `id` (definitions/@id), `name` (definitions/@name, else
  the id), `namespace`, `decisions`: a tuple of `DecisionInfo(id, name, version_tag)` in
  document order.
- `evaluate_decision(drg, decision_id, variables, now=None) -> DecisionEvaluation` never raises
  for a failing evaluation. `DecisionEvaluation` (frozen): `decision_id`; `output` (a JSON
  value via `bpmn.feel.to_json_value`; null when it failed); `evaluated`: the
  `EvaluatedDecision`s in evaluation order (required decisions first, the called one last);
  `failure`: `EvaluationFailure(decision_id, message)` or None, the message naming the
  decision and the element, like Zeebe's "Expected to evaluate decision 'X', but failed to
  evaluate expression 'amount > 10': ...". An unknown decision id is such a failure.
- `EvaluatedDecision`: `decision_id`, `decision_name`, `decision_type` ("DECISION_TABLE",
  "LITERAL_EXPRESSION", "CONTEXT", "RELATION", "LIST", "INVOCATION", "UNKNOWN"), `output`
  (JSON), `inputs`: `EvaluatedInput(input_id, input_name, value)`, `matched_rules`:
  `MatchedRule(rule_id, rule_index (1-based), outputs: EvaluatedOutput(output_id,
  output_name, value))` - both empty unless the decision is a decision table.
- `now` is the time FEEL's `now()` and `today()` see (the engine passes the command's time).
- `typing` (keyword, default "camunda"): Camunda's type rules, as Zeebe applies them (types
  of inputs, outputs and entries are not enforced; a decision's result or a function's
  argument not of its FEEL base type fails); "dmn": DMN's (a non-conforming value is null),
  which the DMN TCK expects.

docs/dmn.md describes what is supported; `bpmn.dmn.evaluation.DecisionEvaluator` gives FEEL
values instead of JSON ones (the DMN TCK runner compares those).
"""

from bpmn.dmn.errors import DmnValidationError
from bpmn.dmn.evaluation import evaluate_decision
from bpmn.dmn.model import DecisionInfo, DecisionRequirementsGraph
from bpmn.dmn.reader import DMN_NAMESPACES, parse_dmn, read_dmn
from bpmn.dmn.results import (
    DecisionEvaluation,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    EvaluationFailure,
    MatchedRule,
)

__all__ = [
    "DMN_NAMESPACES",
    "DecisionEvaluation",
    "DecisionInfo",
    "DecisionRequirementsGraph",
    "DmnValidationError",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "EvaluationFailure",
    "MatchedRule",
    "evaluate_decision",
    "parse_dmn",
    "read_dmn",
]
