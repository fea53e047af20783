"""`honeyflow evaluate decision ID --variables JSON`, in the shape of zbctl's: evaluates the
latest version of a deployed decision (or the one with a decision key) on the cluster named
by `--address`, and prints its output and the rules that matched."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from clients.cli.tables import key_column
from clients.cli.verb_options import ClusterTarget, echo_json, variables_of, verb_options
from clients.results import DecisionResult, Deployment
from processors.exporter.decision_queries import EvaluatedDecisionRow


@click.group()
def evaluate() -> None:
    """Evaluate a decision."""


@evaluate.command(name="decision")
@click.argument("decision")
@click.option("--variables", default=None, help="Variables, a JSON object.")
@verb_options
def evaluate_decision(
    decision: str,
    variables: str | None,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Evaluate DECISION (a decision id, or a decision key) with --variables; prints the output
    and, per evaluated decision, the rules that matched."""
    values = variables_of(variables)
    with cluster.client() as client:
        if decision.isascii() and decision.isdigit():
            result = client.evaluate_decision(None, values, decision_key=int(decision))
        else:
            result = client.evaluate_decision(decision, values)
    if as_json:
        echo_json(result)
        return
    click.echo(
        f"decision {result.decision_id} version {result.decision_version}:"
        f" {json.dumps(result.output)}"
    )
    _matched_rules(result)


def _matched_rules(result: DecisionResult) -> None:
    table = Table(title=f"Evaluation {result.key}")
    table.add_column("Decision")
    table.add_column("Rule")
    table.add_column("Outputs")
    for decision in result.evaluated_decisions:
        if not decision.matched_rules:
            table.add_row(decision.decision_id, "", json.dumps(decision.output))
        for rule in decision.matched_rules:
            outputs = ", ".join(f"{o.name or o.id}={json.dumps(o.value)}" for o in rule.outputs)
            table.add_row(decision.decision_id, f"{rule.rule_index} {rule.rule_id}", outputs)
    Console().print(table)


def decisions_table(deployment: Deployment) -> Table:
    """The decisions a deployment created (or found unchanged), for `honeyflow deploy`."""
    table = Table(title=f"Deployment {deployment.key}: decisions")
    table.add_column("Decision")
    table.add_column("Version", justify="right")
    key_column(table, "Key", (d.decision_key for d in deployment.decisions))
    table.add_column("Requirements")
    for d in deployment.decisions:
        version = f"{d.version} (unchanged)" if d.duplicate else str(d.version)
        table.add_row(d.decision_id, version, str(d.decision_key), d.decision_requirements_id)
    return table


def evaluations_table(rows: list[EvaluatedDecisionRow]) -> Table:
    """The decisions an instance's business rule tasks evaluated (`honeyflow instance`)."""
    table = Table(title="Decisions")
    for name in ("Element", "Decision", "Version", "Result", "Output", "Matched rules"):
        table.add_column(name)
    for row in rows:
        rules = row.failure_message or ", ".join(
            f"{rule.get('ruleIndex')} {rule.get('ruleId')}" for rule in row.matched_rules
        )
        table.add_row(
            row.element_id,
            row.decision_id,
            str(row.decision_version),
            row.state,
            json.dumps(row.output),
            rules,
        )
    return table
