"""XML namespace URIs of BPMN 2.0 and the Zeebe extensions, and helpers to name elements by them.

Elements are always matched by namespace URI, never by prefix: real files use `bpmn:`,
`bpmn2:`, `semantic:`, `model:` or no prefix at all for the same namespace.
"""

from __future__ import annotations

from typing import Final

BPMN: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI: Final = "http://www.omg.org/spec/BPMN/20100524/DI"
DC: Final = "http://www.omg.org/spec/DD/20100524/DC"
DI: Final = "http://www.omg.org/spec/DD/20100524/DI"
ZEEBE: Final = "http://camunda.org/schema/zeebe/1.0"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"


def bpmn(local: str) -> str:
    """The Clark-notation tag `{uri}local` of a BPMN model element."""
    return f"{{{BPMN}}}{local}"


def zeebe(local: str) -> str:
    return f"{{{ZEEBE}}}{local}"


def split_tag(tag: str) -> tuple[str, str]:
    """`{uri}local` → (uri, local); a tag without namespace gives ("", local)."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag
