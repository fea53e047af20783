"""Boxed expressions, knowledge models, decision services, types and DMN names through
evaluate_decision: what the DMN TCK's level-3 folders exercise, on a small model."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn.dmn import DecisionRequirementsGraph, evaluate_decision, parse_dmn
from tests.bpmn.conftest import fixture_bytes


@pytest.fixture(scope="module")
def graph() -> DecisionRequirementsGraph:
    return parse_dmn(fixture_bytes("dmn/boxed.dmn"), "boxed.dmn")


def _output(graph: DecisionRequirementsGraph, decision: str, **variables: Any) -> Any:
    result = evaluate_decision(graph, decision, variables)
    assert result.failure is None, result.failure
    return result.output


def test_a_name_feel_cannot_read_alone_resolves_to_the_model_element(
    graph: DecisionRequirementsGraph,
) -> None:
    assert _output(graph, "total", **{"Extra days case 1": 4}) == 5


def test_a_bkm_with_dotted_parameters_and_a_decision_table_is_invoked(
    graph: DecisionRequirementsGraph,
) -> None:
    result = evaluate_decision(graph, "description", {"Person": {"Name": "Ada", "Age": 36}})
    assert result.output == "Ada is an adult"
    assert result.evaluated[-1].decision_type == "INVOCATION"
    assert _output(graph, "description", Person={"Name": "Bo", "Age": 7}) == "Bo is a child"


def test_contexts_relations_and_lists(graph: DecisionRequirementsGraph) -> None:
    result = evaluate_decision(graph, "summary", {})
    assert result.output == {
        "Date-Time": "2024-05-06T10:00:00",
        "day": 6,
        "rows": [{"name": "a", "size": 1}, {"name": "b", "size": 6}],
        "sizes": [1, 6],
    }
    assert result.evaluated[0].decision_type == "CONTEXT"


def test_with_dmns_type_rules_a_value_outside_its_types_allowed_values_is_null(
    graph: DecisionRequirementsGraph,
) -> None:
    def grades(value: Any) -> Any:
        return evaluate_decision(graph, "grades", {"grades": value}, typing="dmn").output

    assert grades(["A", "B", "A"]) == ["A", "B", "A"]
    assert grades(["A", "C"]) is None
    assert grades("B") == ["B"]  # a singleton list by its type
    # Camunda's engine checks no item definition: the value passes unchanged
    assert _output(graph, "grades", grades=["A", "C"]) == ["A", "C"]


def test_boxed_conditional_and_filter(graph: DecisionRequirementsGraph) -> None:
    assert _output(graph, "conditional", flag=True) == "yes"
    assert _output(graph, "conditional", flag=None) == "no"
    failed = evaluate_decision(graph, "conditional", {"flag": "maybe"})
    assert failed.failure is not None
    assert "not a boolean" in failed.failure.message
    assert _output(graph, "filtered") == [5, 10]


def test_a_decision_service_takes_input_data_then_input_decisions_typed(
    graph: DecisionRequirementsGraph,
) -> None:
    # greet(who, salutation): "Hi" replaces the salutation decision; 1 is not a string
    assert _output(graph, "callService") == ["Hi Ada", None]


def test_instance_of_a_type_the_model_declares(graph: DecisionRequirementsGraph) -> None:
    # a list of strings is a tGrade; allowed values aside, as the DMN TCK has it
    assert _output(graph, "typed") == [True, True, False, False, False]
