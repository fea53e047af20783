"""DMN decisions through the library's contract: parse_dmn, then evaluate_decision, checking
the output and the audit (evaluated decisions, inputs, matched rules) a user sees."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bpmn.dmn import (
    DecisionInfo,
    DecisionRequirementsGraph,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
    evaluate_decision,
    parse_dmn,
)
from tests.bpmn.conftest import fixture_bytes


def _graph(name: str) -> DecisionRequirementsGraph:
    return parse_dmn(fixture_bytes(f"dmn/{name}"), name)


def test_a_camunda_modeler_file_reads_into_its_decisions() -> None:
    graph = _graph("dish.dmn")
    assert graph.id == "dinnerDecisions"
    assert graph.name == "Dinner Decisions"
    assert graph.namespace == "http://camunda.org/schema/1.0/dmn"
    assert graph.decisions == (DecisionInfo("dish", "Dish"), DecisionInfo("season", "Season"))


def test_required_decisions_evaluate_first_and_the_table_audit_shows_the_matched_rule() -> None:
    result = evaluate_decision(_graph("dish.dmn"), "dish", {"month": 10, "guestCount": 4})
    assert result.failure is None
    assert result.output == "Spareribs"
    assert [d.decision_id for d in result.evaluated] == ["season", "dish"]
    season, dish = result.evaluated
    assert (season.decision_type, season.output) == ("LITERAL_EXPRESSION", "Fall")
    assert dish.decision_type == "DECISION_TABLE"
    assert dish.inputs == (
        EvaluatedInput("seasonInput", "Season", "Fall"),
        EvaluatedInput("guestInput", "How many guests", 4),
    )
    assert dish.matched_rules == (
        MatchedRule("fallSpareribs", 1, (EvaluatedOutput("dishOutput", "dish", "Spareribs"),)),
    )


def test_a_list_of_unary_tests_and_a_dash_match() -> None:
    graph = _graph("dish.dmn")
    assert evaluate_decision(graph, "dish", {"month": 1, "guestCount": 20}).output == "Stew"
    summer = evaluate_decision(graph, "dish", {"month": 7, "guestCount": 100})
    assert summer.output == "Light Salad"
    assert summer.evaluated[-1].matched_rules[0].rule_index == 5


def test_unique_with_no_match_is_null() -> None:
    result = evaluate_decision(_graph("dish.dmn"), "dish", {"month": 4, "guestCount": 2})
    assert (result.output, result.failure) == (None, None)
    assert result.evaluated[-1].matched_rules == ()


def test_first_takes_the_first_matching_rule_only() -> None:
    result = evaluate_decision(_graph("policies.dmn"), "first", {"amount": 50})
    assert result.output == "medium"
    assert [r.rule_id for r in result.evaluated[0].matched_rules] == ["f2"]


def test_an_empty_input_entry_matches_anything() -> None:
    assert evaluate_decision(_graph("policies.dmn"), "first", {"amount": 1}).output == "low"


def test_collect_gives_every_matching_output_in_rule_order() -> None:
    result = evaluate_decision(_graph("policies.dmn"), "collect", {"amount": 500})
    assert result.output == ["big", "over ten", "any"]
    assert [r.rule_index for r in result.evaluated[0].matched_rules] == [1, 2, 3]


def test_collect_sum_adds_the_outputs() -> None:
    assert evaluate_decision(_graph("policies.dmn"), "collectSum", {"amount": 50}).output == 3


def test_priority_ranks_by_output_values_and_gives_a_context_for_several_outputs() -> None:
    result = evaluate_decision(_graph("policies.dmn"), "priority", {"amount": 500})
    assert result.output == {"risk": "high", "reason": "big amount"}


def test_a_default_output_entry_answers_when_no_rule_matches() -> None:
    assert evaluate_decision(_graph("policies.dmn"), "withDefault", {"amount": 50}).output is False


def test_unique_with_two_matches_fails_naming_the_decision_and_rules() -> None:
    data = fixture_bytes("dmn/policies.dmn").replace(b'hitPolicy="FIRST"', b'hitPolicy="UNIQUE"')
    result = evaluate_decision(parse_dmn(data, "policies.dmn"), "first", {"amount": 500})
    assert result.output is None
    assert result.failure is not None
    assert result.failure.decision_id == "first"
    assert result.failure.message.startswith("Expected to evaluate decision 'first', but ")
    assert "UNIQUE" in result.failure.message and "'f1'" in result.failure.message


def test_a_failing_expression_is_a_failure_that_quotes_it() -> None:
    data = fixture_bytes("dmn/dish.dmn").replace(
        b'else "Winter"', b'else assert(month, month > 100, "no such month")'
    )
    result = evaluate_decision(parse_dmn(data, "dish.dmn"), "dish", {"month": 1, "guestCount": 1})
    assert result.failure is not None
    assert result.failure.decision_id == "season"
    assert result.failure.message.startswith(
        "Expected to evaluate decision 'season', but failed to evaluate expression 'if month"
    )
    assert result.evaluated == ()


def test_an_unknown_decision_id_is_a_failure_naming_it() -> None:
    result = evaluate_decision(_graph("dish.dmn"), "nope", {})
    assert result.failure is not None
    assert "'nope'" in result.failure.message


def test_variables_may_be_feel_values() -> None:
    result = evaluate_decision(_graph("dish.dmn"), "season", {"month": Decimal("7")})
    assert result.output == "Summer"


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20211108/MODEL/",
        "https://www.omg.org/spec/DMN/20230324/MODEL/",
    ],
)
def test_every_dmn_namespace_reads(namespace: str) -> None:
    data = fixture_bytes("dmn/dish.dmn").replace(
        b'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"', f'xmlns="{namespace}"'.encode()
    )
    graph = parse_dmn(data, "dish.dmn")
    assert evaluate_decision(graph, "dish", {"month": 10, "guestCount": 4}).output == "Spareribs"


def test_a_required_decision_is_in_scope_by_name_id_and_variable_name() -> None:
    # Camunda Modeler's decision tables have no <variable>: Camunda's engine names their
    # result by the decision id; DMN by the decision name; a <variable> by its own name
    data = (
        fixture_bytes("dmn/dish.dmn")
        .replace(b"<text>Season</text>", b"<text>season</text>")
        .replace(
            b'<decision id="season" name="Season">',
            b'<decision id="season" name="Season"><variable name="theSeason" />',
        )
    )
    graph = parse_dmn(data, "dish.dmn")
    assert evaluate_decision(graph, "dish", {"month": 10, "guestCount": 4}).output == "Spareribs"
    by_variable = parse_dmn(data.replace(b"<text>season</text>", b"<text>theSeason</text>"), "d")
    assert evaluate_decision(by_variable, "dish", {"month": 1, "guestCount": 1}).output == (
        "Roastbeef"
    )


def test_a_defect_inside_the_evaluation_is_a_failure_not_an_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bpmn.dmn import evaluation

    def broken(*args: object) -> object:
        raise TypeError("a defect")

    monkeypatch.setattr(evaluation, "evaluate_table", broken)
    result = evaluate_decision(_graph("dish.dmn"), "dish", {"month": 10, "guestCount": 4})
    assert result.failure is not None
    assert result.failure.decision_id == "dish"
    assert result.failure.message == (
        "Expected to evaluate decision 'dish', but an internal error occurred: TypeError: a defect"
    )
    assert [d.decision_id for d in result.evaluated] == ["season"]


def test_camundas_type_rules_ignore_input_and_output_types_but_check_the_result() -> None:
    # Camunda Modeler gives a new input and output the type string: a number still matches
    # and passes (Zeebe ignores them), where DMN's rules would make both null
    data = fixture_bytes("dmn/dish.dmn").replace(
        b'<inputExpression id="LiteralExpression_2" typeRef="number">',
        b'<inputExpression id="LiteralExpression_2" typeRef="string">',
    )
    graph = parse_dmn(data, "dish.dmn")
    assert evaluate_decision(graph, "dish", {"month": 10, "guestCount": 4}).output == "Spareribs"
    assert (
        evaluate_decision(graph, "dish", {"month": 10, "guestCount": 4}, typing="dmn").output
        is None
    )
    # a decision's result of another FEEL type than its variable's fails, as in Zeebe
    typed = parse_dmn(
        data.replace(
            b'<decision id="season" name="Season">',
            b'<decision id="season" name="Season"><variable name="Season" typeRef="number" />',
        ),
        "dish.dmn",
    )
    result = evaluate_decision(typed, "dish", {"month": 10, "guestCount": 4})
    assert result.failure is not None
    assert result.failure.message == (
        "Expected to evaluate decision 'season', but expected 'number' but found '\"Fall\"'"
    )
    assert evaluate_decision(typed, "season", {"month": 10}, typing="dmn").output is None
