"""The first pass over a BPMN file: index every element by id and collect the root-level
definitions (messages, errors, escalations, signals, processes), so that the second pass can
resolve references that point forward in the file (`messageRef`, `attachedToRef`, `default`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from bpmn import namespaces as ns

# XML NCName restricted to what real modelers produce; non-ASCII letters are allowed too.
_NCNAME = re.compile(r"[^\W\d][\w.\-]*", re.UNICODE)


def is_ncname(value: str) -> bool:
    return bool(_NCNAME.fullmatch(value)) and ":" not in value


def line_of(element: etree._Element) -> int | None:
    """The element's line in the file (lxml's `sourceline`)."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def local_name(element: etree._Element) -> str | None:
    """The local name of a BPMN-namespace element; None for other namespaces and comments."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{" + ns.BPMN + "}"):
        return None
    return tag[len(ns.BPMN) + 2 :]


def bpmn_children(element: etree._Element, local: str | None = None) -> Iterator[etree._Element]:
    for child in element:
        name = local_name(child)
        if name is not None and (local is None or name == local):
            yield child


def bpmn_child(element: etree._Element, local: str) -> etree._Element | None:
    return next(bpmn_children(element, local), None)


def zeebe_extensions(element: etree._Element, local: str) -> list[etree._Element]:
    """The `zeebe:<local>` elements inside `element`'s `extensionElements`."""
    found: list[etree._Element] = []
    tag = ns.zeebe(local)
    for extensions in bpmn_children(element, "extensionElements"):
        found.extend(child for child in extensions if child.tag == tag)
    return found


def text_of(element: etree._Element | None) -> str | None:
    """The text content of an element, None when absent or blank."""
    if element is None:
        return None
    text = "".join(str(t) for t in element.itertext()).strip()
    return text or None


def attribute(element: etree._Element, name: str) -> str | None:
    """A non-namespaced attribute, with surrounding blanks removed; None when absent."""
    value = element.get(name)
    return value.strip() if value is not None else None


def ref_id(value: str | None) -> str | None:
    """A reference attribute's id; QName-style refs (`tns:Message_1`) lose their prefix."""
    if value is None:
        return None
    value = value.strip()
    return value.rpartition(":")[2] if ":" in value else value or None


class Document:
    """Index of one parsed file; built once, read by every later pass."""

    def __init__(self, root: etree._Element, source_name: str) -> None:
        self.root = root
        self.source_name = source_name
        self.by_id: dict[str, etree._Element] = {}
        self.duplicate_ids: list[tuple[etree._Element, etree._Element]] = []
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            element_id = element.get("id")
            if element_id is None:
                continue
            first = self.by_id.setdefault(element_id, element)
            if first is not element:
                self.duplicate_ids.append((element, first))
        self.processes = list(bpmn_children(root, "process"))
        self.messages = {e.get("id", ""): e for e in bpmn_children(root, "message")}
        self.errors = {e.get("id", ""): e for e in bpmn_children(root, "error")}
        self.escalations = {e.get("id", ""): e for e in bpmn_children(root, "escalation")}
        self.signals = {e.get("id", ""): e for e in bpmn_children(root, "signal")}

    def find(self, reference: str | None) -> etree._Element | None:
        element_id = ref_id(reference)
        return self.by_id.get(element_id) if element_id else None

    def find_root(
        self, reference: str | None, table: dict[str, etree._Element]
    ) -> etree._Element | None:
        element_id = ref_id(reference)
        return table.get(element_id) if element_id else None
