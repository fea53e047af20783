"""Fuzzing the DMN reader and evaluator: the DMN TCK's models (and the tests' own) with XML and
byte edits, evaluated with random variables. parse_dmn gives a graph or raises
BpmnParseError / DmnValidationError; evaluate_decision never raises and reports a failure
without a safety net catching a defect."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from bpmn.dmn import evaluate_decision, parse_dmn
from bpmn.errors import BpmnParseError, BpmnValidationError
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import assert_not_a_defect, saving
from tests.fuzz.seeds import dmn_files
from tests.fuzz.strategies import Blob, json_values, mutated_bytes, mutated_xml

_SEEDS = dmn_files()
_NOW = dt.datetime(2024, 2, 29, 12, 0, tzinfo=dt.UTC)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def input_names(data: bytes) -> list[str]:
    """The names of the document's inputData (what the variables should be called)."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return []
    return sorted({str(e.get("name")) for e in root.iter("{*}inputData") if e.get("name")})


def check_decisions(data: bytes, values: list[Any]) -> None:
    with saving("dmn", data), deadline():
        try:
            graph = parse_dmn(data, "fuzz.dmn")
        except (BpmnParseError, BpmnValidationError) as error:
            assert_not_a_defect(str(error))
            return
        names = input_names(data)
        variables = dict(zip(names, values, strict=False))
        for decision in (*graph.decisions[:3], None):
            decision_id = decision.id if decision else "no such decision"
            for typing in ("camunda", "dmn"):
                result = evaluate_decision(graph, decision_id, variables, _NOW, typing=typing)
                if result.failure is not None:
                    assert_not_a_defect(result.failure.message)


@fuzz_settings()
@given(
    st.one_of(st.sampled_from(_SEEDS).map(Blob), mutated_xml(_SEEDS), mutated_bytes(_SEEDS)),
    st.lists(json_values, max_size=6),
)
def _dmn(data: bytes, values: list[Any]) -> None:
    check_decisions(data, values)


def test_fuzz_dmn_load_and_evaluate() -> None:
    fuzz(_dmn)
