"""`honeyflow feel 'EXPR' [--vars JSON]`: evaluate a FEEL expression and print the result as
JSON, the way Zeebe would store it in a variable. A syntax or evaluation error prints its
message and position (with a caret under the expression) and exits with code 1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import click

from bpmn.feel import FeelError, compile_expression, compile_unary_tests, to_json_value


def _parse_vars(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        # numbers stay exact: 0.1 is Decimal("0.1"), not the float nearest to it, and an
        # integer of any length is read (int() of more than 4,300 digits is a ValueError)
        value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError as error:  # JSONDecodeError is one
        raise click.ClickException(f"--vars is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise click.ClickException("--vars must be a JSON object of variable names to values")
    return value


def _fail(error: FeelError, text: str) -> None:
    click.echo(f"error: {error}", err=True)
    if error.position is not None and "\n" not in text and len(text) <= 200:
        click.echo(f"  {text}", err=True)
        click.echo(f"  {' ' * error.position}^", err=True)
    raise click.exceptions.Exit(1)


@click.command("feel")
@click.argument("expression")
@click.option("--vars", "variables", metavar="JSON", help="Variables as a JSON object.")
@click.option(
    "--input",
    "input_json",
    metavar="JSON",
    help="Treat EXPRESSION as unary tests and match this JSON input value against them.",
)
@click.option("--warnings", is_flag=True, help="Also print why parts evaluated to null.")
def feel(expression: str, variables: str | None, input_json: str | None, warnings: bool) -> None:
    """Evaluate a FEEL EXPRESSION (a leading `=` is allowed) and print the result as JSON."""
    values = _parse_vars(variables)
    text = expression[1:] if expression.startswith("=") else expression
    try:
        if input_json is not None:
            try:
                subject = json.loads(input_json, parse_float=Decimal, parse_int=Decimal)
            except ValueError as error:  # JSONDecodeError is one
                raise click.ClickException(f"--input is not valid JSON: {error}") from None
            click.echo(json.dumps(compile_unary_tests(text).matches(subject, values)))
            return
        result = compile_expression(text).evaluate_with_warnings(values)
        value = to_json_value(result.value)
    except FeelError as error:
        _fail(error, text)
        return
    click.echo(json.dumps(value, ensure_ascii=False))
    if warnings:
        for warning in result.warnings:
            click.echo(f"warning: [{warning.kind}] {warning.message}", err=True)
