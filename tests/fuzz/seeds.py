"""Real inputs the fuzz targets mutate: BPMN files of the corpus (../shared, set
HONEYFLOW_SHARED) and of the tests, DMN models and FEEL expressions of the DMN TCK, and the
commands of the golden record streams. Without ../shared the repository's own files remain."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from lxml import etree

from tests.fuzz.strategies import Seeds

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HONEYFLOW_SHARED", REPO.parent / "shared"))
_MAX_SEED_BYTES = 200_000  # mutating a 2 MB file costs more than it finds


def _files(roots: list[Path], suffix: str) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found.extend(sorted(root.rglob(f"*{suffix}")))
    return [p for p in found if p.stat().st_size <= _MAX_SEED_BYTES]


@functools.cache
def bpmn_files() -> Seeds:
    roots = [
        REPO / "tests" / "bpmn" / "fixtures",
        REPO / "tests" / "engine" / "scenarios",
        SHARED / "corpus",
        SHARED / "conformance" / "betsy",
    ]
    return Seeds(p.read_bytes() for p in _files(roots, ".bpmn"))


@functools.cache
def dmn_files() -> Seeds:
    roots = [
        REPO / "tests" / "bpmn" / "fixtures" / "dmn",
        REPO / "tests" / "engine" / "scenarios",
        SHARED / "conformance" / "dmn-tck",
    ]
    return Seeds(p.read_bytes() for p in _files(roots, ".dmn"))


@functools.cache
def feel_expressions() -> Seeds:
    """The text of every FEEL expression and unary test in the DMN models above."""
    texts: set[str] = set()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for data in dmn_files():
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            continue
        for element in root.iter("{*}text"):
            if element.text and element.text.strip():
                texts.add(element.text.strip())
    return Seeds(sorted(texts) or ["1 + 1", 'string length("abc")', "[1,2,3][item > 1]"])


@functools.cache
def golden_commands() -> Seeds:
    """Every COMMAND record (as JSON) of tests/engine/golden/record_streams.json."""
    streams = json.loads((REPO / "tests" / "engine" / "golden" / "record_streams.json").read_text())
    seen: set[str] = set()
    commands: list[dict[str, Any]] = []
    for records in streams.values():
        for record in records:
            if record["recordType"] != "COMMAND":
                continue
            text = json.dumps(record, sort_keys=True)
            if text not in seen:
                seen.add(text)
                commands.append(record)
    return Seeds(commands)


@functools.cache
def golden_records() -> list[dict[str, Any]]:
    """Every record (commands, events, rejections) of the golden streams."""
    streams = json.loads((REPO / "tests" / "engine" / "golden" / "record_streams.json").read_text())
    return [record for records in streams.values() for record in records]
