"""`honeyflow decide FILE.dmn [--decision ID] [--variables JSON] [--json]`: evaluate a DMN
decision offline, like `honeyflow feel` for an expression. Prints the output as JSON, then each
decision evaluated (required ones first) with its inputs and matched rules; `--json` prints
one JSON object shaped like Zeebe's DECISION_EVALUATION record instead. A file that cannot be
read or run, bad variables, or a failed evaluation print one line per error and exit 1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from bpmn.dmn import DecisionEvaluation, DecisionRequirementsGraph, parse_dmn
from bpmn.dmn import evaluate_decision as evaluate
from bpmn.errors import BpmnParseError, BpmnValidationError


def _read(path: Path) -> DecisionRequirementsGraph:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise click.ClickException(f"{path}: is a directory, not a DMN file") from None
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file") from None
    except OSError as error:
        raise click.ClickException(f"{path}: cannot read the file: {error.strerror}") from None
    try:
        return parse_dmn(data, str(path))
    except BpmnValidationError as error:
        for problem in error.problems[:-1]:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(str(error.problems[-1])) from None
    except BpmnParseError as error:
        raise click.ClickException(str(error)) from None


def _variables(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError as error:  # JSONDecodeError is one
        raise click.ClickException(f"--variables is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise click.ClickException("--variables must be a JSON object of names to values")
    return value


def default_decision(graph: DecisionRequirementsGraph) -> str:
    """The decision no other decision of the file requires (the one a user means)."""
    required = {
        needed
        for decision in graph.decision_models.values()
        for needed in decision.required_decisions
    }
    top = [info.id for info in graph.decisions if info.id not in required]
    if len(top) == 1:
        return top[0]
    if not top:
        raise click.ClickException(f"{graph.resource_name}: has no decision")
    raise click.ClickException(
        f"{graph.resource_name}: several decisions are required by no other "
        f"({', '.join(top)}); choose one with --decision"
    )


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def as_json(result: DecisionEvaluation, graph: DecisionRequirementsGraph) -> dict[str, Any]:
    """The evaluation with the field names of Zeebe's DECISION_EVALUATION record."""
    names = {info.id: info.name for info in graph.decisions}
    return {
        "decisionId": result.decision_id,
        "decisionName": names.get(result.decision_id, ""),
        "decisionOutput": result.output,
        "evaluatedDecisions": [
            {
                "decisionId": decision.decision_id,
                "decisionName": decision.decision_name,
                "decisionType": decision.decision_type,
                "decisionOutput": decision.output,
                "evaluatedInputs": [
                    {"inputId": i.input_id, "inputName": i.input_name, "inputValue": i.value}
                    for i in decision.inputs
                ],
                "matchedRules": [
                    {
                        "ruleId": rule.rule_id,
                        "ruleIndex": rule.rule_index,
                        "evaluatedOutputs": [
                            {
                                "outputId": o.output_id,
                                "outputName": o.output_name,
                                "outputValue": o.value,
                            }
                            for o in rule.outputs
                        ],
                    }
                    for rule in decision.matched_rules
                ],
            }
            for decision in result.evaluated
        ],
        "evaluationFailure": (
            None
            if result.failure is None
            else {"decisionId": result.failure.decision_id, "message": result.failure.message}
        ),
    }


def _print(result: DecisionEvaluation) -> None:
    click.echo(_text(result.output))
    for decision in result.evaluated:
        click.echo(
            f"decision '{decision.decision_id}' ({decision.decision_name}, "
            f"{decision.decision_type}): {_text(decision.output)}"
        )
        for given in decision.inputs:
            click.echo(f"  input '{given.input_name}': {_text(given.value)}")
        if decision.decision_type == "DECISION_TABLE" and not decision.matched_rules:
            click.echo("  no rule matched")
        for rule in decision.matched_rules:
            outputs = ", ".join(f"{o.output_name} = {_text(o.value)}" for o in rule.outputs)
            click.echo(f"  matched rule {rule.rule_index} '{rule.rule_id}': {outputs}")


@click.command("decide")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--decision", "decision_id", metavar="ID", help="The decision to evaluate.")
@click.option("--variables", "--vars", "variables", metavar="JSON", help="A JSON object.")
@click.option("--json", "as_json_output", is_flag=True, help="Print one JSON object.")
def decide(
    file: Path, decision_id: str | None, variables: str | None, as_json_output: bool
) -> None:
    """Evaluate a decision of the DMN FILE offline and print its output and matched rules.

    Without --decision, the decision that no other decision requires is evaluated."""
    values = _variables(variables)
    graph = _read(file)
    chosen = decision_id or default_decision(graph)
    if chosen not in graph.decision_models:
        known = ", ".join(info.id for info in graph.decisions) or "none"
        raise click.ClickException(f"{file}: no decision '{chosen}' (decisions: {known})")
    result = evaluate(graph, chosen, values)
    if as_json_output:
        click.echo(json.dumps(as_json(result, graph), ensure_ascii=False, indent=2))
    elif result.failure is not None:
        click.echo(f"error: {result.failure.message}", err=True)
    else:
        _print(result)
    if result.failure is not None:
        raise click.exceptions.Exit(1)
