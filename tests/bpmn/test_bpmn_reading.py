"""Reading untrusted bytes: entity tricks refused without reading files, size limit,
byte-order marks, prefixes, and clean errors for anything that is not BPMN.
"""

from __future__ import annotations

import pytest
from lxml import etree

import bpmn
from bpmn.xml_reader import _new_parser
from tests.bpmn.conftest import fixture_bytes

MINIMAL = (
    b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
    b'<process id="p" isExecutable="true"><startEvent id="s"/></process></definitions>'
)


@pytest.mark.parametrize("name", ["xxe_passwd.bpmn", "billion_laughs.bpmn"])
def test_doctype_is_refused_with_a_clear_error(name: str) -> None:
    with pytest.raises(bpmn.BpmnParseError) as caught:
        bpmn.load(fixture_bytes(name), source_name=name)
    assert caught.value.message == (
        "DOCTYPE declarations are not allowed in BPMN files (DTDs and entities are refused)"
    )


def test_parser_itself_never_reads_a_local_file_nor_expands_entities() -> None:
    # The second line of defence, behind the DOCTYPE refusal: the lxml parser settings.
    for name in ("xxe_passwd.bpmn", "billion_laughs.bpmn"):
        try:
            root = etree.fromstring(fixture_bytes(name), parser=_new_parser())
        except etree.XMLSyntaxError:
            continue  # refusing is as good as not expanding
        text = etree.tostring(root)
        assert b"root:" not in text
        assert len(text) < 10_000


def test_size_limit_is_configurable() -> None:
    with pytest.raises(bpmn.BpmnParseError, match="larger than the limit of 100 bytes"):
        bpmn.load(MINIMAL, max_bytes=100)
    assert bpmn.load(MINIMAL).processes[0].bpmn_process_id == "p"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "File is empty; expected a BPMN 2.0 XML document"),
        (b"\x00\x01\x02\xff binary", "Not well-formed XML"),
        (b"<definitions><process>", "Not well-formed XML"),
        (b"<html><body/></html>", "Not a BPMN 2.0 document: the root element is 'html'"),
    ],
)
def test_unreadable_input_gives_one_clean_problem(data: bytes, message: str) -> None:
    problems = bpmn.validate(data, source_name="x.bpmn")
    assert len(problems) == 1
    assert problems[0].message.startswith(message)


def test_byte_order_mark_and_default_namespace_are_accepted() -> None:
    assert bpmn.load(b"\xef\xbb\xbf" + MINIMAL).process("p").none_start_event_id == "s"
    utf16 = MINIMAL.decode().encode("utf-16")
    assert bpmn.load(utf16).process("p").none_start_event_id == "s"


def test_elements_matched_by_namespace_not_prefix() -> None:
    wrong = MINIMAL.replace(b"20100524/MODEL", b"20100524/OTHER")
    with pytest.raises(bpmn.BpmnParseError, match=r"Not a BPMN 2\.0 document"):
        bpmn.load(wrong)
