"""Conditions on the outgoing flows of exclusive and inclusive gateways, as Zeebe evaluates
them: a single outgoing flow with a condition is evaluated too (#10 item 3); no flow to take
is a CONDITION_ERROR incident; a condition whose result is not a boolean (null included) is an
EXTRACT_VALUE_ERROR incident with Zeebe's message (#10 item 4). Resolving re-evaluates."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn.expressions import ExpressionCompiler, default_feel_compiler
from clients.client import Client
from clients.testing import assert_instance
from processors.engine.bpmn.expression_behavior import ExpressionFailure, evaluate_condition
from tests.engine.conftest import events, scenario

NO_FLOW = "Expected at least one condition to evaluate to true, or to have a default flow"


def _incident(client: Client) -> dict[str, Any]:
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    return dict(incident)


@pytest.mark.parametrize("process", ["single_exclusive", "single_inclusive"])
def test_a_single_conditional_flow_is_taken_when_true(client: Client, process: str) -> None:
    client.deploy(scenario(f"{process}.bpmn"))
    key = client.create_instance(process, {"x": 5})
    assert_instance(client, key).is_completed().has_passed("gw", "end_ok").has_no_incidents()


@pytest.mark.parametrize("process", ["single_exclusive", "single_inclusive"])
def test_a_single_conditional_flow_that_is_false_is_a_condition_error(
    client: Client, process: str
) -> None:
    client.deploy(scenario(f"{process}.bpmn"))
    key = client.create_instance(process, {"x": 0})
    assert_instance(client, key).is_active().has_not_passed("gw", "end_ok")
    incident = _incident(client)
    assert incident["value"]["errorType"] == "CONDITION_ERROR"
    assert incident["value"]["elementId"] == "gw"
    assert incident["value"]["errorMessage"] == NO_FLOW
    client.set_variables(key, {"x": 2})
    client.resolve_incident(incident["key"])
    assert_instance(client, key).is_completed().has_passed("gw", "end_ok")


@pytest.mark.parametrize("process", ["single_exclusive", "single_inclusive"])
def test_a_condition_on_a_missing_variable_is_an_extract_value_error(
    client: Client, process: str
) -> None:
    client.deploy(scenario(f"{process}.bpmn"))
    key = client.create_instance(process, {})
    incident = _incident(client)
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["elementId"] == "gw"
    assert incident["value"]["errorMessage"] == (
        "Expected result of the expression 'x > 1' to be 'BOOLEAN', but was 'NULL'."
    )
    client.set_variables(key, {"x": 3})
    client.resolve_incident(incident["key"])
    assert_instance(client, key).is_completed().has_passed("end_ok")


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(None, "NULL"), (7, "NUMBER"), ("yes", "STRING"), ([True], "ARRAY"), ({"a": 1}, "OBJECT")],
)
def test_a_condition_that_is_not_a_boolean_is_an_extract_value_error(
    client: Client, value: Any, type_name: str
) -> None:
    # Even with a default flow: the condition fails, the default is not taken (Zeebe).
    client.deploy(scenario("typed_condition.bpmn"))
    key = client.create_instance("typed_condition", {"value": value})
    assert_instance(client, key).is_active().has_not_passed("end_default", "end_value")
    incident = _incident(client)
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert incident["value"]["errorMessage"] == (
        f"Expected result of the expression 'value' to be 'BOOLEAN', but was '{type_name}'."
    )
    client.set_variables(key, {"value": False})
    client.resolve_incident(incident["key"])
    assert_instance(client, key).is_completed().has_passed("end_default")


@pytest.mark.parametrize(
    ("condition", "type_name"),
    [
        ('=date("2024-01-31")', "DATE"),
        ('=date and time("2024-01-31T10:00:00Z")', "DATE_TIME"),
        ('=duration("PT1H")', "DURATION"),
        ('=duration("P1Y")', "PERIOD"),
        ('=time("10:00:00")', "UNKNOWN"),
    ],
)
def test_temporal_condition_results_are_named_as_zeebe_names_them(
    condition: str, type_name: str
) -> None:
    expression = ExpressionCompiler(default_feel_compiler()).compile(condition)
    with pytest.raises(ExpressionFailure) as failure:
        evaluate_condition(expression, {}, now_ms=0)
    assert failure.value.message == (
        f"Expected result of the expression '{condition[1:]}' to be 'BOOLEAN', but was"
        f" '{type_name}'."
    )
