"""parse_dmn refuses what cannot run, naming file, element, line and reason for each problem."""

from __future__ import annotations

import pytest

from bpmn.dmn import DmnValidationError, parse_dmn
from bpmn.errors import BpmnParseError, BpmnValidationError
from tests.bpmn.conftest import fixture_bytes

_DISH = fixture_bytes("dmn/dish.dmn")


def _problems(data: bytes) -> list[str]:
    with pytest.raises(DmnValidationError) as caught:
        parse_dmn(data, "dish.dmn")
    assert isinstance(caught.value, BpmnValidationError)
    return [str(p) for p in caught.value.problems]


def test_bpmn_and_junk_are_not_dmn() -> None:
    with pytest.raises(BpmnParseError, match="Not a DMN document"):
        parse_dmn(fixture_bytes("gateways.bpmn"), "gateways.bpmn")
    with pytest.raises(BpmnParseError, match="Not well-formed XML"):
        parse_dmn(b"<definitions", "x.dmn")
    with pytest.raises(BpmnParseError, match="DOCTYPE"):
        parse_dmn(b'<!DOCTYPE x [<!ENTITY a "b">]>' + _DISH.split(b"?>", 1)[1], "x.dmn")


def test_a_feel_syntax_error_in_an_input_entry_names_rule_and_line() -> None:
    data = _DISH.replace(b"<text>[5..8]</text>", b"<text>[5..</text>")
    (problem,) = _problems(data)
    line = _DISH.split(b"[5..8]")[0].count(b"\n") + 1
    assert problem.startswith(
        f"dish.dmn:{line}: decision 'dish' > decisionTable 'dishTable' > rule 'springSteak'"
        " > inputEntry 'UnaryTests_6': The unary tests '[5..' are not valid FEEL"
    )


def test_a_feel_syntax_error_in_an_output_entry_or_literal_expression() -> None:
    data = _DISH.replace(b'"Steak"', b'"Steak" +').replace(b'else "Winter"', b"else )")
    problems = _problems(data)
    assert len(problems) == 2
    assert (
        "outputEntry 'LiteralExpression_5': The expression '\"Steak\" +' is not valid FEEL"
        in (problems[0])
    )
    assert "decision 'season' > literalExpression 'LiteralExpression_8'" in problems[1]


def test_an_unknown_required_decision_and_hit_policy() -> None:
    data = _DISH.replace(b'href="#season"', b'href="#weather"').replace(
        b'hitPolicy="UNIQUE"', b'hitPolicy="SOMETIMES"'
    )
    problems = _problems(data)
    assert any("Requires the decision 'weather', which is not here" in p for p in problems)
    assert any("The hit policy 'SOMETIMES' is unknown" in p for p in problems)


def test_decisions_requiring_each_other_are_a_cycle() -> None:
    data = _DISH.replace(b'<requiredInput href="#month" />', b'<requiredDecision href="#dish" />')
    (problem,) = _problems(data)
    assert problem == (
        "dish.dmn:3: decision 'dish': The decisions require each other in a cycle:"
        " dish -> season -> dish"
    )


def test_a_rule_with_a_missing_entry() -> None:
    data = _DISH.replace(b'<inputEntry id="UnaryTests_10"><text>-</text></inputEntry>', b"")
    (problem,) = _problems(data)
    assert "rule 'summer': The rule has 1 input entries for 2 inputs" in problem


def test_a_decision_without_logic_and_an_aggregation_over_several_outputs() -> None:
    policies = fixture_bytes("dmn/policies.dmn")
    data = policies.replace(
        b'<output id="pointsSum" name="points" typeRef="number" />',
        b'<output id="pointsSum" name="points" typeRef="number" /><output id="more" name="more" />',
    ).replace(b"</definitions>", b'<decision id="empty" name="Empty" /></definitions>')
    with pytest.raises(DmnValidationError) as caught:
        parse_dmn(data, "policies.dmn")
    messages = [p.message for p in caught.value.problems]
    assert "Hit policy COLLECT with SUM needs one output, but the table has 2" in messages
    assert "The decision has no decision logic (a table or expression)" in messages


def test_a_document_nested_too_deeply_for_the_stack_is_a_parse_error() -> None:
    import sys

    inner = "<literalExpression><text>1</text></literalExpression>"
    for depth in range(120):
        inner = (
            f'<context><contextEntry><variable name="a{depth}"/>{inner}</contextEntry></context>'
        )
    data = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" namespace="n">'
        f'<decision id="x" name="x">{inner}</decision></definitions>'
    ).encode()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)  # a caller deep in its own stack
    try:
        with pytest.raises(BpmnParseError, match="nested too deeply"):
            parse_dmn(data, "deep.dmn")
    finally:
        sys.setrecursionlimit(limit)
