"""`bpmn` depends on nothing of ours but the protocol's leaf module of element and event kinds,
which the model and the records share (one set of kinds, compared by member)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bpmn
from broker.protocol.values import BpmnElementType, ProcessInstanceRecordValue

ROOT = Path(__file__).parents[2]
OURS = ("bpmn", "broker", "processors", "clients")
KINDS = "broker.protocol.values.bpmn_kinds"


def _our_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] in OURS}


@pytest.mark.parametrize("path", sorted((ROOT / "bpmn").rglob("*.py")), ids=str)
def test_bpmn_imports_only_itself_and_the_kinds(path: Path) -> None:
    outside = {n for n in _our_imports(path) if n.split(".")[0] != "bpmn" and n != KINDS}
    assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"


def test_the_kinds_module_is_a_leaf() -> None:
    assert _our_imports(ROOT / "broker" / "protocol" / "values" / "bpmn_kinds.py") == set()


def test_the_model_and_the_records_share_one_set_of_kinds() -> None:
    xml = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p" isExecutable="true">
    <startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>
  </process>
</definitions>"""
    node = bpmn.load(xml).process("p").elements["s"]
    assert bpmn.BpmnElementType is BpmnElementType
    assert node.element_type is BpmnElementType.START_EVENT
    field = {f.name: f.type for f in ProcessInstanceRecordValue.__dataclass_fields__.values()}
    assert "BpmnElementType" in str(field["bpmn_element_type"])
