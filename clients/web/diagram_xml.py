"""The BPMN XML the page hands to bpmn-js: the deployed file as it is when it carries diagram
data (BPMNDI) for the process, else the file with a generated diagram (`auto_layout`) put
first, since bpmn-js opens the first diagram of a file.
"""

from __future__ import annotations

from lxml import etree

from bpmn import namespaces as ns
from bpmn.errors import BpmnError
from bpmn.loader import load
from bpmn.model import Definitions
from bpmn.xml_reader import read_xml
from clients.web.auto_layout import Layout, layout_process


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def diagram_xml(xml: str, bpmn_process_id: str) -> str:
    """`xml` unchanged when it can be drawn as it is (or cannot be read at all: bpmn-js then
    reports the problem itself), else with a generated diagram of `bpmn_process_id`."""
    data = xml.encode()
    try:
        definitions = load(data, source_name=f"{bpmn_process_id}.bpmn")
        process = definitions.process(bpmn_process_id)
    except (BpmnError, KeyError):
        return xml
    if _has_diagram(definitions, set(process.elements)):
        return xml
    root = read_xml(data, f"{bpmn_process_id}.bpmn")
    diagram = _diagram_element(layout_process(process), bpmn_process_id)
    first = root.find(f"{{{ns.BPMNDI}}}BPMNDiagram")
    if first is None:
        root.append(diagram)
    else:
        first.addprevious(diagram)
    return etree.tostring(root, encoding="unicode")


def _has_diagram(definitions: Definitions, element_ids: set[str]) -> bool:
    return any(i in element_ids for i in definitions.diagram.shapes)


def _diagram_element(layout: Layout, process_id: str) -> etree._Element:
    di, dc, bpmndi = ns.DI, ns.DC, ns.BPMNDI
    nsmap = {"bpmndi": bpmndi, "dc": dc, "di": di}
    diagram = etree.Element(
        f"{{{bpmndi}}}BPMNDiagram", {"id": f"{process_id}_honeyflow_di"}, nsmap=nsmap
    )
    plane = etree.SubElement(
        diagram,
        f"{{{bpmndi}}}BPMNPlane",
        {"id": f"{process_id}_honeyflow_plane", "bpmnElement": process_id},
    )
    for element_id, b in layout.shapes.items():
        attributes = {"id": f"{element_id}_di", "bpmnElement": element_id}
        if element_id in layout.expanded:
            attributes["isExpanded"] = "true"
        shape = etree.SubElement(plane, f"{{{bpmndi}}}BPMNShape", attributes)
        etree.SubElement(
            shape,
            f"{{{dc}}}Bounds",
            {
                "x": _number(b.x),
                "y": _number(b.y),
                "width": _number(b.width),
                "height": _number(b.height),
            },
        )
    for element_id, points in layout.edges.items():
        edge = etree.SubElement(
            plane, f"{{{bpmndi}}}BPMNEdge", {"id": f"{element_id}_di", "bpmnElement": element_id}
        )
        for p in points:
            etree.SubElement(edge, f"{{{di}}}waypoint", {"x": _number(p.x), "y": _number(p.y)})
    return diagram
