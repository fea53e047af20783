"""Every file of the BPMN MIWG corpus (210 files from many modelling tools) goes through
parsing and validation without a crash: either a model or clean problems.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import bpmn

SHARED = Path(os.environ.get("HONEYFLOW_SHARED", Path(__file__).parents[2] / ".." / "shared"))
CORPUS = SHARED / "corpus" / "bpmn-miwg"
FILES = sorted(CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []

if not CORPUS.is_dir():
    message = f"BPMN MIWG corpus not found at {CORPUS} (set HONEYFLOW_SHARED)"
    if os.environ.get("CI"):  # CI always has shared/ beside the clone: never skip there
        raise RuntimeError(message)
    pytestmark = pytest.mark.skip(reason=message)


def test_corpus_is_complete() -> None:
    assert len(FILES) == 210


def test_every_file_parses_to_a_model_or_clean_problems() -> None:
    deployable = 0
    for path in FILES:
        result = bpmn.parse_bpmn(path.read_bytes(), source_name=path.name)
        if result.ok:
            assert result.definitions is not None and result.definitions.processes
            deployable += 1
            continue
        for problem in result.problems:
            assert problem.file == path.name and problem.message
            assert problem.line is None or problem.line > 0
    # The corpus carries no execution semantics; a handful of its executable processes
    # happen to be plain enough to deploy.
    assert 0 < deployable < len(FILES)


def test_non_executable_files_say_so() -> None:
    reference = CORPUS / "Reference" / "A.1.0.bpmn"
    problems = bpmn.validate(reference.read_bytes(), source_name="A.1.0.bpmn")
    assert [p.message for p in problems] == ["Must contain at least one executable process"]


BETSY = SHARED / "conformance" / "betsy" / "zeebe"


@pytest.mark.skipif(not BETSY.is_dir(), reason=f"betsy models not found at {BETSY}")
def test_betsy_models_converted_to_zeebe_all_validate() -> None:
    """The conformance suite's models use only what Honeyflow executes: the rules that refuse
    unsupported attributes and extensions must not refuse any of them."""
    models = sorted(BETSY.glob("*.bpmn"))
    assert len(models) == 76
    problems = [str(p) for m in models for p in bpmn.validate(m.read_bytes(), source_name=m.name)]
    assert problems == []


def test_corpus_files_that_deploy_stay_deployable() -> None:
    """Camunda Modeler's job-based user tasks (forms, candidate groups) deploy."""
    for name in (
        "Reference/C.9.2.bpmn",
        "Trisotech Workflow Modeler 12.6.3/C.9.2-roundtrip.bpmn",
        "bpmn.io (Camunda Modeler) 18.6.1/C.9.2-roundtrip.bpmn",
    ):
        path = CORPUS / name
        assert bpmn.parse_bpmn(path.read_bytes(), source_name=path.name).ok, path
