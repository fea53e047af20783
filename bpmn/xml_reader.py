"""Turn untrusted bytes into an lxml tree, safely: no entities expanded, no DTD, no network,
no local file ever read, a size limit, and a clean `BpmnParseError` for anything unreadable.
"""

from __future__ import annotations

from typing import Any, Final

from lxml import etree

from bpmn import namespaces as ns
from bpmn.document import line_of
from bpmn.errors import BpmnParseError

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024


def _doctype_refused(kind: str) -> str:
    return f"DOCTYPE declarations are not allowed in {kind} files (DTDs and entities are refused)"


def _declares_doctype(data: bytes) -> bool:
    """Whether the prolog (everything before the root element) holds a DOCTYPE."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0 or start + 1 >= len(text):
            return False
        following = text[start + 1]
        if following == "!" and text.startswith("<!DOCTYPE", start):
            return True
        if following not in "!?":
            return False  # the root element: the prolog is over
        if text.startswith("<!--", start):
            end = text.find("-->", start)
            position = len(text) if end < 0 else end + 3
        else:
            position = start + 2


def _new_parser() -> etree.XMLParser:
    # Each flag closes one door: entity expansion (billion laughs), external entities and
    # DTDs (XXE reading /etc/passwd or fetching URLs), and libxml2's "huge" mode that lifts
    # its depth and text-size guards.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def read_untrusted_xml(
    data: bytes, source_name: str, *, max_bytes: int = DEFAULT_MAX_BYTES, kind: str = "BPMN"
) -> etree._Element:
    """Parse `data` safely and return its root element, whatever its namespace.

    `kind` names the expected document in messages ("BPMN", "DMN"). Raises BpmnParseError
    when the bytes are too large, empty, not well-formed XML or carry a DOCTYPE.
    """
    if len(data) > max_bytes:
        raise BpmnParseError(
            source_name,
            f"File is {len(data)} bytes, larger than the limit of {max_bytes} bytes",
        )
    if not data.strip():
        expected = "a BPMN 2.0" if kind == "BPMN" else f"a {kind}"
        raise BpmnParseError(source_name, f"File is empty; expected {expected} XML document")
    if _declares_doctype(data):
        # A BPMN or DMN file never needs a DTD; refusing it outright is simpler to reason
        # about than proving every entity stayed unexpanded and no file was opened.
        raise BpmnParseError(source_name, _doctype_refused(kind))
    try:
        root = etree.fromstring(data, parser=_new_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise BpmnParseError(source_name, f"Not well-formed XML: {exc.msg}", line) from None
    except ValueError as exc:  # lxml raises this for some undecodable inputs
        raise BpmnParseError(source_name, f"Not readable as XML: {exc}") from None
    if root is None:
        raise BpmnParseError(source_name, "Not readable as XML: no root element")
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise BpmnParseError(source_name, _doctype_refused(kind))
    if not isinstance(root.tag, str):
        raise BpmnParseError(source_name, f"Not a {kind} document: no root element")
    return root


def read_xml(
    data: bytes, source_name: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> etree._Element:
    """Parse `data` and return the root `definitions` element of a BPMN 2.0 document.

    Raises BpmnParseError when the bytes are too large, not well-formed XML, carry a DOCTYPE,
    or are XML but not BPMN 2.0.
    """
    root = read_untrusted_xml(data, source_name, max_bytes=max_bytes)
    uri, local = ns.split_tag(root.tag)
    if uri != ns.BPMN or local != "definitions":
        found = f"'{local}'" + (f" in namespace '{uri}'" if uri else " without a namespace")
        raise BpmnParseError(
            source_name,
            f"Not a BPMN 2.0 document: the root element is {found}, expected 'definitions' "
            f"in namespace '{ns.BPMN}'",
            line_of(root),
        )
    return root
