"""Collecting validation problems: every rule adds to one ProblemCollector, which names each
problem by file, element path and line, drops exact duplicates and keeps file order.
"""

from __future__ import annotations

from lxml import etree

from bpmn import namespaces as ns
from bpmn.document import line_of
from bpmn.errors import Problem

_SKIPPED_IN_PATH = frozenset({"definitions", "extensionElements"})


def element_path(element: etree._Element) -> str:
    """`process 'order' > subProcess 'pay' > serviceTask 'charge' > zeebe:taskDefinition`."""
    chain = [element, *element.iterancestors()]
    parts: list[str] = []
    for node in reversed(chain):
        if not isinstance(node.tag, str):
            continue
        uri, local = ns.split_tag(node.tag)
        if uri == ns.BPMN and local in _SKIPPED_IN_PATH:
            continue
        label = f"zeebe:{local}" if uri == ns.ZEEBE else local
        element_id = node.get("id")
        parts.append(f"{label} '{element_id}'" if element_id else label)
    return " > ".join(parts)


def owning_id(element: etree._Element) -> str | None:
    """The id of the element itself or of its nearest ancestor that has one."""
    for node in (element, *element.iterancestors()):
        element_id = node.get("id")
        if element_id:
            return element_id
    return None


class ProblemCollector:
    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self._problems: list[Problem] = []
        self._seen: set[tuple[str, int | None, str]] = set()

    def add(self, element: etree._Element | None, message: str) -> None:
        if element is None:
            self.add_at(None, "", None, message)
            return
        self.add_at(owning_id(element), element_path(element), line_of(element), message)

    def add_at(self, element_id: str | None, path: str, line: int | None, message: str) -> None:
        key = (path, line, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self._problems.append(Problem(self.source_name, element_id, path, line, message))

    def __bool__(self) -> bool:
        return bool(self._problems)

    def __len__(self) -> int:
        return len(self._problems)

    def sorted(self) -> list[Problem]:
        """Problems in file order; file-level problems (no line) first."""
        return sorted(self._problems, key=lambda p: -1 if p.line is None else p.line)
