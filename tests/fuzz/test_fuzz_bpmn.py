"""Fuzzing the BPMN loader: real files (tests' fixtures and scenarios, ../shared's corpus and
betsy) with XML edits (elements deleted, duplicated, moved, renamed; attributes set to other
ids, FEEL, odd values) and byte edits. parse_bpmn returns definitions or problems, or raises
BpmnParseError; validation never raises; no safety net catches a defect."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bpmn import BpmnParseError, parse_bpmn, validate_deployment
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import assert_not_a_defect, saving
from tests.fuzz.seeds import bpmn_files
from tests.fuzz.strategies import mutated_bytes, mutated_xml

_SEEDS = bpmn_files()


def check_loads(data: bytes) -> None:
    with saving("bpmn", data), deadline():
        try:
            result = parse_bpmn(data, source_name="fuzz.bpmn")
        except BpmnParseError as error:
            assert_not_a_defect(error.message)
            assert error.message
            return
        assert (result.definitions is None) == bool(result.problems)
        for problem in result.problems:
            assert problem.message, problem
            assert_not_a_defect(problem.message)
        for problem in validate_deployment([("fuzz.bpmn", data)]):
            assert_not_a_defect(problem.message)


@fuzz_settings()
@given(st.one_of(mutated_xml(_SEEDS), mutated_bytes(_SEEDS)))
def _load(data: bytes) -> None:
    check_loads(data)


def test_fuzz_bpmn_load() -> None:
    fuzz(_load)
