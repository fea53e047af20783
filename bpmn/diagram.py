"""Reading BPMNDI: shape bounds and edge waypoints by BPMN element id. Kept for tools that
draw a process; nothing in the engine reads it, and broken diagram data is never an error.
"""

from __future__ import annotations

import math

from lxml import etree

from bpmn import namespaces as ns
from bpmn.document import ref_id
from bpmn.model import Bounds, DiagramInfo, Point, frozen_map


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def read_diagram(root: etree._Element) -> DiagramInfo:
    shapes: dict[str, Bounds] = {}
    edges: dict[str, tuple[Point, ...]] = {}
    for shape in root.iter(f"{{{ns.BPMNDI}}}BPMNShape"):
        element_id = ref_id(shape.get("bpmnElement"))
        bounds = shape.find(f"{{{ns.DC}}}Bounds")
        if not element_id or bounds is None:
            continue
        x, y, w, h = (_number(bounds.get(k)) for k in ("x", "y", "width", "height"))
        if x is not None and y is not None and w is not None and h is not None:
            shapes.setdefault(element_id, Bounds(x, y, w, h))
    for edge in root.iter(f"{{{ns.BPMNDI}}}BPMNEdge"):
        element_id = ref_id(edge.get("bpmnElement"))
        if not element_id:
            continue
        points = []
        for waypoint in edge.iter(f"{{{ns.DI}}}waypoint"):
            x, y = _number(waypoint.get("x")), _number(waypoint.get("y"))
            if x is not None and y is not None:
                points.append(Point(x, y))
        edges.setdefault(element_id, tuple(points))
    return DiagramInfo(frozen_map(shapes), frozen_map(edges))
