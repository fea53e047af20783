"""Every validation rule: the exact message, the element path and the line, all problems at
once. Messages follow Zeebe's bpmn-model validators where Zeebe has the rule.
"""

from __future__ import annotations

import pytest

import bpmn
from tests.bpmn.conftest import fixture_bytes, problems_of

P = "process 'p'"

EXPECTED: dict[str, list[tuple[int | None, str, str]]] = {
    "invalid_not_executable.bpmn": [(2, "", "Must contain at least one executable process")],
    "invalid_no_start.bpmn": [(3, P, "Must have at least one start event")],
    "invalid_start_events.bpmn": [(3, P, "Multiple none start events are not allowed")],
    "invalid_gateway_conditions.bpmn": [
        (6, f"{P} > exclusiveGateway 'xor'", "Default flow must start at gateway"),
        (7, f"{P} > sequenceFlow 'f_a'", "Must have a condition or be default flow"),
        (11, f"{P} > sequenceFlow 'f_d'", "Must have a condition"),
        (
            14,
            f"{P} > serviceTask 'task'",
            "Conditional sequence flows are only supported at exclusive or inclusive gateway",
        ),
    ],
    "invalid_task_definitions.bpmn": [
        (
            5,
            f"{P} > serviceTask 'no_definition'",
            "Must have exactly one 'zeebe:taskDefinition' extension element",
        ),
        (
            6,
            f"{P} > serviceTask 'empty_type' > zeebe:taskDefinition",
            "Attribute 'type' must be present and not empty",
        ),
        (
            6,
            f"{P} > serviceTask 'empty_type' > zeebe:taskDefinition",
            "Attribute 'retries' must be present and not empty",
        ),
        (
            7,
            f"{P} > scriptTask 'no_script'",
            "Must have either one 'zeebe:script' or one 'zeebe:taskDefinition' extension element",
        ),
        (
            8,
            f"{P} > sendTask 'no_send'",
            "Must have either one 'zeebe:publishMessage' or one 'zeebe:taskDefinition' "
            "extension element",
        ),
        (
            9,
            f"{P} > callActivity 'no_called'",
            "Must have exactly one 'zeebe:calledElement' extension element",
        ),
        (
            10,
            f"{P} > businessRuleTask 'no_rules'",
            "Must have either one 'zeebe:calledDecision' or one 'zeebe:taskDefinition' "
            "extension element",
        ),
        (
            11,
            f"{P} > businessRuleTask 'no_result' > zeebe:calledDecision",
            "Attribute 'resultVariable' must be present and not empty",
        ),
        (
            12,
            f"{P} > businessRuleTask 'both'",
            "Must have either one 'zeebe:calledDecision' or one 'zeebe:taskDefinition' "
            "extension element",
        ),
        (
            13,
            f"{P} > businessRuleTask 'no_decision_id' > zeebe:calledDecision",
            "Attribute 'decisionId' must be present and not empty",
        ),
    ],
    "invalid_expressions.bpmn": [
        (
            7,
            f"{P} > sequenceFlow 'f_static' > conditionExpression",
            "Expected an expression for 'conditionExpression' but found the static value "
            "'amount > 5'; an expression starts with '='",
        ),
        (
            8,
            f"{P} > sequenceFlow 'f_broken' > conditionExpression",
            "Failed to parse the expression '=amount >' of 'conditionExpression' at position 8: "
            "unexpected end of expression",
        ),
        (
            10,
            f"{P} > serviceTask 'task' > zeebe:taskDefinition",
            "Failed to parse the expression '=if then' of 'type' at position 3: "
            "expected a name but found 'then'",
        ),
        (
            11,
            f"{P} > serviceTask 'task' > zeebe:ioMapping > zeebe:output",
            "Expected an expression for 'source' but found the static value 'result'; "
            "an expression starts with '='",
        ),
        (
            11,
            f"{P} > serviceTask 'task' > zeebe:ioMapping > zeebe:output",
            "Expected a variable name or path (e.g. 'order.total') for 'target' but found '1bad'",
        ),
    ],
    "invalid_messages.bpmn": [
        (
            5,
            f"{P} > intermediateCatchEvent 'no_ref' > messageEventDefinition",
            "Must reference a message",
        ),
        (9, "message 'msg_unnamed'", "Name must be present and not empty"),
        (9, "message 'msg_unnamed'", "Must have exactly one zeebe:subscription extension element"),
        (
            10,
            "message 'msg_static' > zeebe:subscription",
            "Expected an expression for 'correlationKey' but found the static value 'orderId'; "
            "an expression starts with '='",
        ),
    ],
    "invalid_timers.bpmn": [
        (
            5,
            f"{P} > intermediateCatchEvent 'bad_duration' > timerEventDefinition > timeDuration",
            "Invalid duration '15 minutes': expected an ISO 8601 duration such as 'PT15M' or "
            "'P1DT2H'",
        ),
        (
            6,
            f"{P} > intermediateCatchEvent 'cycle_catch' > timerEventDefinition",
            "Intermediate timer catch event must have either a time duration or a time date.",
        ),
        (
            7,
            f"{P} > intermediateCatchEvent 'two_kinds' > timerEventDefinition",
            "Must be exactly one type of timer: timeDuration, timeDate or timeCycle",
        ),
        (
            8,
            f"{P} > intermediateCatchEvent 'no_zone' > timerEventDefinition > timeDate",
            "Invalid date '2030-01-01T00:00:00': a UTC offset or zone is required "
            "(e.g. 'Z' or '+02:00')",
        ),
        (
            10,
            f"{P} > boundaryEvent 'cycle_interrupting'",
            "Interrupting timer event with time cycle is not allowed.",
        ),
        (
            11,
            f"{P} > startEvent 'bad_cron' > timerEventDefinition > timeCycle",
            "Invalid cron expression '0 0 25 * * *': hour field: 25 is outside 0 to 23",
        ),
    ],
    "invalid_ids_and_flows.bpmn": [
        (6, f"{P} > task 'twin'", "Duplicate id 'twin': already used at line 5"),
        (
            7,
            f"{P} > task '1st-task'",
            "Id '1st-task' is not a valid XML NCName: it must start with a letter or '_' and "
            "contain only letters, digits, '_', '-' and '.'",
        ),
        (
            8,
            f"{P} > sequenceFlow 'f_nowhere'",
            "SequenceFlow has targetRef 'missing' which cannot be resolved",
        ),
        (
            9,
            f"{P} > sequenceFlow 'f_no_source'",
            "SequenceFlow is missing required attribute sourceRef",
        ),
    ],
    "invalid_boundary_events.bpmn": [
        (6, f"{P} > boundaryEvent 'orphan'", "Must be attached to an activity"),
        (7, f"{P} > boundaryEvent 'no_definition'", "Must have exactly one event definition"),
        (
            8,
            f"{P} > boundaryEvent 'escalation_on_task'",
            "An escalation boundary event should only be attached to a subprocess, or a call "
            "activity.",
        ),
        (
            9,
            f"{P} > boundaryEvent 'error_non_interrupting'",
            "Non-Interrupting event of this type is not allowed",
        ),
    ],
    "invalid_event_subprocess.bpmn": [
        (
            5,
            f"{P} > subProcess 'esp_none' > startEvent 'esp_none_start'",
            "Start events in event subprocesses must be one of: message, timer, error, signal "
            "or escalation",
        ),
        (
            7,
            f"{P} > subProcess 'embedded' > startEvent 'inner_timer'",
            "Start events in subprocesses must be of type none",
        ),
        (
            8,
            f"{P} > subProcess 'embedded' > subProcess 'nested'",
            "Must have exactly one start event",
        ),
        (
            9,
            f"{P} > subProcess 'embedded' > subProcess 'nested' > serviceTask 'charge'",
            "Must have exactly one 'zeebe:taskDefinition' extension element",
        ),
    ],
    "invalid_unsupported_elements.bpmn": [
        (
            5,
            f"{P} > complexGateway 'complex'",
            "Elements of type 'ComplexGateway' are currently not supported. See docs/bpmn.md for "
            "the list of supported elements",
        ),
        (
            6,
            f"{P} > transaction 'tx'",
            "Elements of type 'Transaction' are currently not supported. See docs/bpmn.md for the "
            "list of supported elements",
        ),
        (
            7,
            f"{P} > task 'looping' > standardLoopCharacteristics",
            "Loop characteristics of type 'standardLoopCharacteristics' are not supported; use "
            "'multiInstanceLoopCharacteristics'",
        ),
        (
            8,
            f"{P} > intermediateCatchEvent 'conditional' > conditionalEventDefinition",
            "Conditional events are not supported by Honeyflow",
        ),
    ],
    "invalid_unsupported_attributes.bpmn": [
        (
            6,
            f"{P} > serviceTask 'quantities'",
            "Attribute 'startQuantity' other than 1 ('2') is not supported by Honeyflow",
        ),
        (
            6,
            f"{P} > serviceTask 'quantities'",
            "Attribute 'completionQuantity' other than 1 ('3') is not supported by Honeyflow",
        ),
        (
            7,
            f"{P} > serviceTask 'compensation' > zeebe:linkedResources",
            "Extension element 'zeebe:linkedResources' is not supported by Honeyflow: "
            "linked resources are not implemented",
        ),
        (
            7,
            f"{P} > serviceTask 'compensation'",
            "Compensation handlers ('isForCompensation') are not supported by Honeyflow",
        ),
        (
            8,
            f"{P} > userTask 'job_user_task' > zeebe:priorityDefinition",
            "Extension element 'zeebe:priorityDefinition' on a job-based user task is not "
            "supported by Honeyflow: priorities are read on Camunda user tasks "
            "('zeebe:userTask')",
        ),
        (
            9,
            f"{P} > userTask 'dynamic_assignee' > zeebe:formDefinition",
            "Attribute 'formId' of 'zeebe:formDefinition' is not supported by Honeyflow: a "
            "job-based user task carries its 'formKey' as a header; a Camunda user task "
            "('zeebe:userTask') links deployed forms",
        ),
        (
            10,
            f"{P} > manualTask 'manual' > zeebe:taskDefinition",
            "Extension element 'zeebe:taskDefinition' is not supported by Honeyflow: read "
            "on service, user, send, script and business rule tasks and on message throw "
            "events only",
        ),
        (
            10,
            f"{P} > manualTask 'manual'",
            "Attribute 'zeebe:unknown' is not supported by Honeyflow",
        ),
        (
            11,
            f"{P} > exclusiveGateway 'gateway' > zeebe:ioMapping",
            "Extension element 'zeebe:ioMapping' is not supported by Honeyflow: gateways "
            "apply no variable mappings",
        ),
        (
            12,
            f"{P} > eventBasedGateway 'instantiating'",
            "Attribute 'instantiate' is not supported by Honeyflow: an event-based gateway "
            "never starts",
        ),
        (
            12,
            f"{P} > eventBasedGateway 'instantiating'",
            "Attribute 'eventGatewayType' of 'Parallel' is not supported by Honeyflow",
        ),
        (
            12,
            f"{P} > eventBasedGateway 'instantiating'",
            "Event-based gateway must have at least 2 outgoing sequence flows.",
        ),
        (
            13,
            f"{P} > receiveTask 'receive_start'",
            "Attribute 'instantiate' is not supported by Honeyflow: a receive task never starts",
        ),
        (
            14,
            f"{P} > scriptTask 'groovy' > script",
            "A BPMN 'script' body is not supported by Honeyflow: scripts are FEEL in "
            "'zeebe:script'",
        ),
        (
            15,
            f"{P} > task 'cardinality' > multiInstanceLoopCharacteristics",
            "Attribute 'behavior' of 'None' is not supported by Honeyflow",
        ),
        (
            15,
            f"{P} > task 'cardinality' > multiInstanceLoopCharacteristics > loopCardinality",
            "'loopCardinality' is not supported by Honeyflow: the collections are read from"
            " 'zeebe:loopCharacteristics'",
        ),
        (
            16,
            f"{P} > endEvent 'none_end_job' > zeebe:taskDefinition",
            "Extension element 'zeebe:taskDefinition' on a none 'endEvent' is not supported"
            " by Honeyflow: only message throw events are job-based",
        ),
        (
            17,
            f"{P} > boundaryEvent 'boundary_input'",
            "Attribute 'parallelMultiple' is not supported by Honeyflow: an event has one trigger",
        ),
        (
            17,
            f"{P} > boundaryEvent 'boundary_input' > zeebe:ioMapping > zeebe:input",
            "An input mapping on a boundary event or on a start event with an event "
            "definition is not supported by Honeyflow: only output mappings apply",
        ),
        (
            18,
            f"{P} > scriptTask 'script_headers' > zeebe:taskHeaders",
            "Extension element 'zeebe:taskHeaders' on a script task with a 'zeebe:script' is "
            "not supported by Honeyflow: headers go with a 'zeebe:taskDefinition'",
        ),
        (
            22,
            f"{P} > intermediateCatchEvent 'go'",
            "An input mapping on an event after an event-based gateway is not supported by "
            "Honeyflow: only output mappings apply",
        ),
    ],
    "invalid_events.bpmn": [
        (
            3,
            P,
            "Can't find an catch link event for the throw link event with the name 'nowhere'.",
        ),
        (
            6,
            f"{P} > endEvent 'end'",
            "End events must not have outgoing sequence flows to other elements.",
        ),
        (
            7,
            f"{P} > intermediateCatchEvent 'start2' > signalEventDefinition",
            "Must reference a signal",
        ),
        (8, f"{P} > endEvent 'end_error' > errorEventDefinition", "Must reference an error"),
        (
            10,
            f"{P} > eventBasedGateway 'race'",
            "Event-based gateway must have at least 2 outgoing sequence flows.",
        ),
        (
            10,
            f"{P} > eventBasedGateway 'race'",
            "Event-based gateway must not have an outgoing sequence flow to other elements than "
            "message/timer/signal intermediate catch events.",
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_problem_reported_with_path_and_line(name: str) -> None:
    found = [(p.line, p.element_path, p.message) for p in problems_of(name)]
    assert found == EXPECTED[name]
    assert all(p.file == name for p in problems_of(name))


def test_load_raises_with_all_problems() -> None:
    with pytest.raises(bpmn.BpmnValidationError) as caught:
        bpmn.load(fixture_bytes("invalid_timers.bpmn"), source_name="timers.bpmn")
    assert len(caught.value.problems) == len(EXPECTED["invalid_timers.bpmn"])
    assert "timers.bpmn:10: process 'p' > boundaryEvent 'cycle_interrupting'" in str(caught.value)


def test_parse_result_holds_problems_or_definitions() -> None:
    bad = bpmn.parse_bpmn(fixture_bytes("invalid_no_start.bpmn"))
    assert not bad.ok and bad.definitions is None
    assert bad.problems[0].element_id == "p"
    good = bpmn.parse_bpmn(fixture_bytes("tasks.bpmn"))
    assert good.ok and good.definitions is not None


def test_problem_names_the_element_id() -> None:
    problems = problems_of("invalid_boundary_events.bpmn")
    assert [p.element_id for p in problems] == [
        "orphan",
        "no_definition",
        "escalation_on_task",
        "error_non_interrupting",
    ]


@pytest.mark.parametrize(
    "condition", ["³", "1 + ²", "x > ٣", "1e999999999 > x", "1e" + "9" * 500, "x > 1e5000"]
)
def test_validate_never_raises_on_an_expression(condition: str) -> None:
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"'
        ' targetNamespace="t"><bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />'
        '<bpmn:exclusiveGateway id="g" default="f3" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e">'
        f"<bpmn:conditionExpression>={condition}</bpmn:conditionExpression>"
        '</bpmn:sequenceFlow><bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="e" />'
        '<bpmn:endEvent id="e" /></bpmn:process></bpmn:definitions>'
    )
    problems = bpmn.validate(xml.encode())
    digits = any(c in condition for c in "³²٣")
    assert [p.element_id for p in problems] == (["f2"] if digits else [])


def test_a_default_flow_on_an_activity_is_accepted() -> None:
    """An activity's flows have no conditions, so BPMN takes every one, the default too: what
    the engine does. Two MIWG corpus files carry one."""
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"'
        ' targetNamespace="t"><bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />'
        '<bpmn:task id="t" default="f2" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e" />'
        '<bpmn:endEvent id="e" /></bpmn:process></bpmn:definitions>'
    )
    assert bpmn.validate(xml.encode()) == []
