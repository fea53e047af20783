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
