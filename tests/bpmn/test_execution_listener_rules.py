"""`zeebe:executionListeners`: read into the model in document order, with Zeebe's rules
(required attributes, unique event type and job type, no listener where Zeebe has none)."""

from __future__ import annotations

import pytest

import bpmn
from bpmn.model_parts import ListenerEventType

_HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
)


def _listeners(*items: tuple[str, str]) -> str:
    inner = "".join(
        f'<zeebe:executionListener eventType="{event}" type="{job_type}" />'
        for event, job_type in items
    )
    return (
        "<bpmn:extensionElements><zeebe:executionListeners>"
        f"{inner}</zeebe:executionListeners></bpmn:extensionElements>"
    )


def _process(body: str, process_extensions: str = "") -> bytes:
    return (
        f'{_HEAD}<bpmn:process id="p" isExecutable="true">{process_extensions}{body}'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


def _task(listeners: str) -> bytes:
    return _process(
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />'
        f'<bpmn:manualTask id="t">{listeners}</bpmn:manualTask>'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />'
    )


def _messages(xml: bytes) -> list[str]:
    return [p.message for p in bpmn.validate(xml, source_name="l.bpmn")]


def test_listeners_are_read_in_document_order() -> None:
    xml = _process(
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />'
        '<bpmn:manualTask id="t"><bpmn:extensionElements><zeebe:executionListeners>'
        '<zeebe:executionListener eventType="start" type="a" retries="5" />'
        '<zeebe:executionListener eventType="end" type="=kind" />'
        '<zeebe:executionListener eventType="start" type="b" />'
        "</zeebe:executionListeners></bpmn:extensionElements></bpmn:manualTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />',
        _listeners(("start", "p-start")),
    )
    process = bpmn.load(xml, source_name="l.bpmn").processes[0]
    listeners = process.elements["t"].execution_listeners
    assert [(li.event_type, li.type.source, li.retries.source) for li in listeners] == [
        (ListenerEventType.START, "a", "5"),
        (ListenerEventType.END, "=kind", "3"),
        (ListenerEventType.START, "b", "3"),
    ]
    assert listeners[1].type.compiled is not None
    assert [li.type.source for li in process.execution_listeners] == ["p-start"]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            _task(_listeners(("start", "a"), ("start", "a"), ("end", "a"))),
            "Found '2' duplicates based on eventType[start] and type[a], these combinations"
            " should be unique.",
        ),
        (_task(_listeners(("start", ""))), "Attribute 'type' must be present and not empty"),
        (_task(_listeners(("begin", "a"))), "Attribute 'eventType' must be one of: start, end"),
        (
            _process(
                f'<bpmn:startEvent id="s">{_listeners(("start", "a"))}</bpmn:startEvent>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" />'
            ),
            "Execution listeners of type 'start' are not supported by start events",
        ),
        (
            _process(
                '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g" />'
                f'<bpmn:parallelGateway id="g">{_listeners(("end", "a"))}</bpmn:parallelGateway>'
                '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e" /><bpmn:endEvent id="e" />'
            ),
            "Execution listeners of type 'end' are not supported by gateway element",
        ),
        (
            _process(
                '<bpmn:error id="err" errorCode="E" /><bpmn:startEvent id="s" />'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />'
                f'<bpmn:endEvent id="e">{_listeners(("end", "a"))}'
                '<bpmn:errorEventDefinition errorRef="err" /></bpmn:endEvent>'
            ),
            "Execution listeners of type 'end' are not supported by [error] end events",
        ),
        (
            _process(
                '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t" />'
                '<bpmn:manualTask id="t" />'
                '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />'
                f'<bpmn:boundaryEvent id="b" attachedToRef="t">{_listeners(("start", "a"))}'
                "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration>"
                "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
                '<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e2" />'
                '<bpmn:endEvent id="e2" />'
            ),
            "Execution listeners of type 'start' are not supported by boundary events",
        ),
    ],
)
def test_zeebe_refuses_these_listeners(xml: bytes, message: str) -> None:
    assert message in _messages(xml)


def test_start_listeners_of_an_event_after_an_event_based_gateway_are_refused() -> None:
    catch = (
        '<bpmn:intermediateCatchEvent id="{id}">{listeners}<bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )
    xml = _process(
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g" />'
        '<bpmn:eventBasedGateway id="g" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="c1" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="c2" />'
        + catch.format(id="c1", listeners=_listeners(("start", "a")))
        + catch.format(id="c2", listeners=_listeners(("end", "b")))
        + '<bpmn:sequenceFlow id="f3" sourceRef="c1" targetRef="e" />'
        '<bpmn:sequenceFlow id="f4" sourceRef="c2" targetRef="e" /><bpmn:endEvent id="e" />'
    )
    problems = bpmn.validate(xml, source_name="l.bpmn")
    assert [(p.element_id, p.message) for p in problems] == [
        (
            "c1",
            "Execution listeners of type 'start' on an event after an event-based gateway are"
            " not supported by Honeyflow; put them on the gateway",
        )
    ]


def test_same_type_for_start_and_end_is_fine() -> None:
    assert _messages(_task(_listeners(("start", "a"), ("end", "a")))) == []


def test_a_static_listener_type_no_worker_topic_can_hold_is_a_validation_error() -> None:
    # As for a task's job type (bpmn.job_types): the listener's job would be published to a
    # topic Kafka cannot name, so the model is refused instead of the instance stopping there.
    assert _messages(_task(_listeners(("start", "t" * 196)))) == [
        "Attribute 'type': job type of 196 characters is too long for its worker topic name:"
        " it needs 196 characters there, at most 195 fit (a character other than a letter,"
        " digit, '_' or '-' takes 4)"
    ]
    assert _messages(_task(_listeners(("start", "t" * 195)))) == []
