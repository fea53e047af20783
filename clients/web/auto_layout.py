"""A layered left-to-right layout of a process that has no diagram data (BPMNDI), so the web
page can still draw it. Each flow scope is laid out on its own: flow nodes go into columns by
the longest path from the scope's sources (loops broken at their back edge), a column's nodes
are stacked in the order of their predecessors, subprocesses are laid out recursively and
drawn expanded, boundary events sit on their activity's lower edge, and event subprocesses go
in a row below the flow. Sequence flows get orthogonal waypoints; back edges run below.

Good enough to see where instances are, not a replacement for a modeler's diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bpmn.model import Bounds, ExecutableProcess, FlowNode, Point
from bpmn.model_types import BpmnElementType

EVENT = (36.0, 36.0)
GATEWAY = (50.0, 50.0)
ACTIVITY = (100.0, 80.0)
H_GAP = 60.0
V_GAP = 50.0
PAD_X = 30.0
PAD_TOP = 40.0
PAD_BOTTOM = 30.0
BACK_EDGE_LANE = 30.0
ORIGIN = Point(150.0, 80.0)

_EVENTS = {
    BpmnElementType.START_EVENT,
    BpmnElementType.END_EVENT,
    BpmnElementType.INTERMEDIATE_CATCH_EVENT,
    BpmnElementType.INTERMEDIATE_THROW_EVENT,
    BpmnElementType.BOUNDARY_EVENT,
}
_CONTAINERS = {BpmnElementType.SUB_PROCESS, BpmnElementType.EVENT_SUB_PROCESS}


@dataclass
class Layout:
    """Shape bounds and edge waypoints by element id, in diagram coordinates."""

    shapes: dict[str, Bounds] = field(default_factory=dict)
    edges: dict[str, tuple[Point, ...]] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)
    """Subprocesses drawn open (their content laid out inside them)."""


@dataclass
class _Block:
    """One scope laid out with its top-left corner at (0, 0)."""

    width: float
    height: float
    layout: Layout


def layout_process(process: ExecutableProcess) -> Layout:
    block = _layout_scope(process, process.bpmn_process_id)
    return _moved(block.layout, ORIGIN.x, ORIGIN.y)


def _size(node: FlowNode, blocks: dict[str, _Block]) -> tuple[float, float]:
    if node.id in blocks:
        return blocks[node.id].width, blocks[node.id].height
    if node.element_type in _EVENTS:
        return EVENT
    if node.element_type.is_gateway:
        return GATEWAY
    return ACTIVITY


def _layout_scope(process: ExecutableProcess, scope_id: str) -> _Block:
    scope = process.scope(scope_id)
    nodes = [process.element(i) for i in scope.element_ids]
    placed = [
        n
        for n in nodes
        if n.element_type not in (BpmnElementType.BOUNDARY_EVENT, BpmnElementType.EVENT_SUB_PROCESS)
    ]
    blocks = {n.id: _container_block(process, n.id) for n in nodes if n.element_type in _CONTAINERS}
    # A boundary event's flows leave from its activity as far as columns are concerned.
    anchor = {n.id: n.attached_to_id or n.id for n in nodes}
    flows = [process.sequence_flows[f] for f in scope.sequence_flow_ids]
    links = [(anchor.get(f.source_id, f.source_id), f.target_id) for f in flows]
    ids = [n.id for n in placed]
    back = _back_edges(ids, links)
    rank = _ranks(ids, [link for link in links if link not in back])
    columns: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for i in ids:
        columns[rank[i]].append(i)
    # Targets of boundary events go below the activity's regular successors.
    sinking = {f.target_id for f in flows if anchor.get(f.source_id, f.source_id) != f.source_id}
    _order_columns(columns, links, back, sinking)

    layout = Layout()
    sizes = {n.id: _size(n, blocks) for n in nodes}
    widths = [max(sizes[i][0] for i in column) for column in columns]
    heights = [sum(sizes[i][1] for i in column) + V_GAP * (len(column) - 1) for column in columns]
    flow_height = max(heights, default=0.0)
    x = 0.0
    column_x: list[float] = []
    for column, width, height in zip(columns, widths, heights, strict=True):
        column_x.append(x)
        y = (flow_height - height) / 2
        for i in column:
            w, h = sizes[i]
            layout.shapes[i] = Bounds(x + (width - w) / 2, y, w, h)
            y += h + V_GAP
        x += width + H_GAP
    flow_width = max(x - H_GAP, 0.0)

    by_id = {n.id: n for n in nodes}
    for n in placed:
        _place_boundary_events(layout, n, by_id)
    lane_y = flow_height + BACK_EDGE_LANE
    for f in flows:
        layout.edges[f.id] = _waypoints(
            layout, f.source_id, f.target_id, by_id, rank, column_x, lane_y, back
        )
    height = flow_height + (BACK_EDGE_LANE + 20 if back else 0)

    # Event subprocesses: a row below the flow.
    row_x, row_y, row_height = 0.0, height + V_GAP if placed else 0.0, 0.0
    for n in nodes:
        if n.element_type is BpmnElementType.EVENT_SUB_PROCESS:
            w, h = sizes[n.id]
            layout.shapes[n.id] = Bounds(row_x, row_y, w, h)
            row_x += w + H_GAP
            row_height = max(row_height, h)
    if row_height:
        height = row_y + row_height
        flow_width = max(flow_width, row_x - H_GAP)

    for container_id, block in blocks.items():
        bounds = layout.shapes[container_id]
        inner = _moved(block.layout, bounds.x + PAD_X, bounds.y + PAD_TOP)
        layout.shapes.update(inner.shapes)
        layout.edges.update(inner.edges)
        layout.expanded |= inner.expanded | {container_id}
    return _Block(flow_width, height, layout)


def _container_block(process: ExecutableProcess, scope_id: str) -> _Block:
    inner = _layout_scope(process, scope_id)
    width = max(inner.width + 2 * PAD_X, ACTIVITY[0])
    height = max(inner.height + PAD_TOP + PAD_BOTTOM, ACTIVITY[1])
    return _Block(width, height, inner.layout)


def _back_edges(ids: list[str], links: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Links that close a loop, found by a depth-first walk from the sources in document
    order (then from whatever is left, so every cycle is broken)."""
    successors: dict[str, list[str]] = {i: [] for i in ids}
    has_incoming: set[str] = set()
    for source, target in links:
        if source in successors and target in successors:
            successors[source].append(target)
            has_incoming.add(target)
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the walk's stack, 2 done
    roots = [i for i in ids if i not in has_incoming] + ids
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(successors[child])))
    return back


def _ranks(ids: list[str], links: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from a source, over links that form no cycle."""
    successors: dict[str, list[str]] = {i: [] for i in ids}
    indegree = dict.fromkeys(ids, 0)
    for source, target in links:
        if source in successors and target in indegree:
            successors[source].append(target)
            indegree[target] += 1
    rank = dict.fromkeys(ids, 0)
    ready = [i for i in ids if indegree[i] == 0]
    while ready:
        node = ready.pop(0)
        for child in successors[node]:
            rank[child] = max(rank[child], rank[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return rank


def _order_columns(
    columns: list[list[str]],
    links: list[tuple[str, str]],
    back: set[tuple[str, str]],
    sinking: set[str],
) -> None:
    """One barycenter pass: a node goes where its predecessors are, on average, so that
    the branches of a split stay apart and flows cross less."""
    predecessors: dict[str, list[str]] = {}
    for link in links:
        if link not in back:
            predecessors.setdefault(link[1], []).append(link[0])
    index: dict[str, float] = {i: float(n) for n, i in enumerate(columns[0] if columns else [])}
    for column in columns[1:]:
        document_order = {i: n for n, i in enumerate(column)}

        def key(i: str, order: dict[str, int] = document_order) -> tuple[float, int]:
            known = [index[p] for p in predecessors.get(i, []) if p in index]
            if not known:
                return (float("inf"), order[i])
            return (sum(known) / len(known) + (0.5 if i in sinking else 0.0), order[i])

        column.sort(key=key)
        index.update({i: float(n) for n, i in enumerate(column)})


def _place_boundary_events(layout: Layout, activity: FlowNode, by_id: dict[str, FlowNode]) -> None:
    bounds = layout.shapes[activity.id]
    for n, event_id in enumerate(activity.boundary_event_ids):
        if event_id not in by_id:
            continue
        w, h = EVENT
        x = bounds.x + bounds.width - w - 10 - n * (w + 10)
        layout.shapes[event_id] = Bounds(max(x, bounds.x), bounds.y + bounds.height - h / 2, w, h)


def _waypoints(
    layout: Layout,
    source_id: str,
    target_id: str,
    by_id: dict[str, FlowNode],
    rank: dict[str, int],
    column_x: list[float],
    lane_y: float,
    back: set[tuple[str, str]],
) -> tuple[Point, ...]:
    s, t = layout.shapes.get(source_id), layout.shapes.get(target_id)
    if s is None or t is None:
        return ()
    source = by_id.get(source_id)
    attached = source.attached_to_id if source is not None else None
    t_mid = t.y + t.height / 2
    if attached is not None:
        # Leave a boundary event downwards, then turn towards the target.
        cx, bottom = s.x + s.width / 2, s.y + s.height
        if t_mid > bottom:
            return (Point(cx, bottom), Point(cx, t_mid), Point(t.x, t_mid))
        below = bottom + 15
        mx = t.x - H_GAP / 2
        return (
            Point(cx, bottom),
            Point(cx, below),
            Point(mx, below),
            Point(mx, t_mid),
            Point(t.x, t_mid),
        )
    if (source_id, target_id) in back or rank.get(target_id, 0) <= rank.get(source_id, 0):
        sx, tx = s.x + s.width / 2, t.x + t.width / 2
        return (
            Point(sx, s.y + s.height),
            Point(sx, lane_y),
            Point(tx, lane_y),
            Point(tx, t.y + t.height),
        )
    s_mid = s.y + s.height / 2
    start, end = Point(s.x + s.width, s_mid), Point(t.x, t_mid)
    if abs(s_mid - t_mid) < 0.5:
        return (start, end)
    # Turn in the gap just before the target's column, so a split fans out late.
    mx = column_x[rank[target_id]] - H_GAP / 2
    return (start, Point(mx, s_mid), Point(mx, t_mid), end)


def _moved(layout: Layout, dx: float, dy: float) -> Layout:
    return Layout(
        shapes={i: Bounds(b.x + dx, b.y + dy, b.width, b.height) for i, b in layout.shapes.items()},
        edges={i: tuple(Point(p.x + dx, p.y + dy) for p in ps) for i, ps in layout.edges.items()},
        expanded=set(layout.expanded),
    )
