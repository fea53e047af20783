"""The automatic layout of processes without diagram data: every element placed, nothing on
top of another in the same scope, contents inside their subprocess, and the generated BPMNDI
read back by our own BPMN reader as bpmn-js would read it."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from bpmn.loader import load
from bpmn.model import Bounds, ExecutableProcess
from bpmn.model_types import BpmnElementType
from clients.web.auto_layout import layout_process
from clients.web.diagram_xml import diagram_xml

SCENARIOS = Path(__file__).parents[1] / "engine" / "scenarios"
ORDER = Path(__file__).parent / "order.bpmn"


def _processes() -> list[tuple[str, ExecutableProcess]]:
    found = []
    for path in sorted(SCENARIOS.glob("*.bpmn")):
        for process in load(path.read_bytes(), source_name=path.name).processes:
            found.append((path.name, process))
    return found


PROCESSES = _processes()


def _overlap(a: Bounds, b: Bounds) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def test_the_scenarios_include_the_hard_cases() -> None:
    types = {e.element_type for _, p in PROCESSES for e in p.elements.values()}
    assert {
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.BOUNDARY_EVENT,
        BpmnElementType.PARALLEL_GATEWAY,
    } <= types


@pytest.mark.parametrize(
    ("name", "process"), PROCESSES, ids=[f"{n}:{p.bpmn_process_id}" for n, p in PROCESSES]
)
def test_every_element_is_placed_without_overlaps(name: str, process: ExecutableProcess) -> None:
    layout = layout_process(process)
    assert set(layout.shapes) == set(process.elements)
    assert set(layout.edges) == set(process.sequence_flows)
    for flow_id, points in layout.edges.items():
        assert len(points) >= 2, flow_id
    by_scope: dict[str, list[str]] = {}
    for element in process.elements.values():
        if element.element_type is not BpmnElementType.BOUNDARY_EVENT:
            by_scope.setdefault(element.flow_scope_id, []).append(element.id)
        if element.flow_scope_id != process.bpmn_process_id:
            outer, inner = layout.shapes[element.flow_scope_id], layout.shapes[element.id]
            assert outer.x <= inner.x and inner.x + inner.width <= outer.x + outer.width
            assert outer.y <= inner.y and inner.y + inner.height <= outer.y + outer.height
    for ids in by_scope.values():
        for a, b in combinations(ids, 2):
            assert not _overlap(layout.shapes[a], layout.shapes[b]), (name, a, b)
    for element in process.elements.values():
        if element.attached_to_id:
            assert _overlap(layout.shapes[element.id], layout.shapes[element.attached_to_id])


@pytest.mark.parametrize(("name", "process"), PROCESSES[:12], ids=[n for n, _ in PROCESSES[:12]])
def test_generated_diagram_is_valid_bpmndi(name: str, process: ExecutableProcess) -> None:
    xml = diagram_xml((SCENARIOS / name).read_text(), process.bpmn_process_id)
    diagram = load(xml.encode(), source_name=name).diagram
    assert set(process.elements) <= set(diagram.shapes)
    assert set(process.sequence_flows) <= set(diagram.edges)


def test_a_file_with_diagram_data_is_served_as_it_is() -> None:
    xml = ORDER.read_text()
    assert diagram_xml(xml, "order") == xml


def test_unreadable_xml_is_left_for_the_viewer_to_report() -> None:
    assert diagram_xml("<not-bpmn/>", "x") == "<not-bpmn/>"
