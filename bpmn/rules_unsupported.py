"""What the engine does not execute is refused at deployment, never silently ignored: Zeebe
extension elements that an element does not read, Zeebe attributes, and BPMN attributes and
children with execution semantics that Honeyflow does not implement.

Checked per element while building (`check_flow_node`, `check_sequence_flow`,
`check_process`); elements the builder refuses as a whole (complex gateways, transactions, ...)
are reported there and not looked into. What carries no execution semantics stays accepted:
names, documentation, diagram data, lanes, data objects and associations, other vendors'
extensions, Camunda Modeler's element-template attributes.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from bpmn import namespaces as ns
from bpmn.build_context import BuildContext
from bpmn.document import bpmn_child, bpmn_children, local_name, zeebe_extensions
from bpmn.model import FlowNode
from bpmn.model_types import BpmnElementType, BpmnEventType

_ANY_NODE: Final = frozenset({"ioMapping", "properties", "executionListeners"})
_JOB: Final = frozenset({"taskDefinition", "taskHeaders"})

# The Zeebe extension elements each owner reads. `publishMessage` is read to report it as
# unsupported with its own message (see build_nodes / build_events).
_READ: Final[dict[str, frozenset[str]]] = {
    "process": frozenset({"versionTag", "properties", "executionListeners", "userTaskForm"}),
    "serviceTask": _ANY_NODE | _JOB,
    "sendTask": _ANY_NODE | _JOB | {"publishMessage"},
    "businessRuleTask": _ANY_NODE | _JOB | {"calledDecision"},
    "scriptTask": _ANY_NODE | _JOB | {"script"},
    "userTask": _ANY_NODE
    | _JOB
    | {"formDefinition", "assignmentDefinition", "taskSchedule", "userTask", "priorityDefinition"},
    "callActivity": _ANY_NODE | {"calledElement"},
    "intermediateThrowEvent": _ANY_NODE | _JOB,
    "endEvent": _ANY_NODE | _JOB,
    # A start form is Tasklist's, with no meaning to the engine: accepted, as in Zeebe.
    "startEvent": _ANY_NODE | {"formDefinition"},
    "exclusiveGateway": frozenset({"properties", "executionListeners"}),
    "inclusiveGateway": frozenset({"properties", "executionListeners"}),
    "parallelGateway": frozenset({"properties", "executionListeners"}),
    "eventBasedGateway": frozenset({"properties", "executionListeners"}),
    "sequenceFlow": frozenset({"properties"}),
    "multiInstanceLoopCharacteristics": frozenset({"loopCharacteristics"}),
    "messageEventDefinition": frozenset({"publishMessage"}),
}

_WHY: Final[dict[str, str]] = {
    "userTask": "read on user tasks only",
    "priorityDefinition": "read on Camunda user tasks ('zeebe:userTask') only",
    "taskListeners": "user task listeners are not implemented",
    "linkedResources": "linked resources are not implemented",
    "calledDecision": "read on business rule tasks only",
    "publishMessage": "publish the message from a job worker",
    "conditionalFilter": "conditional events are not implemented",
    "adHoc": "ad-hoc subprocesses are not implemented",
    "script": "read on script tasks only",
    "calledElement": "read on call activities only",
    "loopCharacteristics": "read inside 'multiInstanceLoopCharacteristics' only",
    "taskDefinition": "read on service, user, send, script and business rule tasks and on "
    "message throw events only",
    "taskHeaders": "read where a 'zeebe:taskDefinition' is",
    "ioMapping": "gateways apply no variable mappings",
    "formDefinition": "read on user tasks and start events only",
    "assignmentDefinition": "read on user tasks only",
    "taskSchedule": "read on user tasks only",
}

# Attributes in the Zeebe namespace that only Camunda Modeler reads (element templates).
_MODELER_ATTRIBUTES: Final = frozenset(
    {"modelerTemplate", "modelerTemplateVersion", "modelerTemplateIcon"}
)

_ACTIVITIES: Final = frozenset(
    {
        "task",
        "serviceTask",
        "userTask",
        "sendTask",
        "receiveTask",
        "scriptTask",
        "businessRuleTask",
        "manualTask",
        "subProcess",
        "callActivity",
    }
)
_CATCHING_EVENTS: Final = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})
_BPMN_MULTI_INSTANCE_DATA: Final = (
    "loopCardinality",
    "loopDataInputRef",
    "loopDataOutputRef",
    "inputDataItem",
    "outputDataItem",
    "complexBehaviorDefinition",
)
_FORM_KEY_ONLY: Final = ("formId", "externalReference", "bindingType", "versionTag")


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def not_supported(what: str, why: str | None = None) -> str:
    """`… is not supported by Honeyflow[: why]`, the wording of every rule here."""
    return f"{what} is not supported by Honeyflow" + (f": {why}" if why else "")


def _extensions(ctx: BuildContext, owner: etree._Element, read: frozenset[str]) -> None:
    owner_name = local_name(owner) or "element"
    for block in bpmn_children(owner, "extensionElements"):
        for extension in block:
            if not isinstance(extension.tag, str):
                continue
            uri, local = ns.split_tag(extension.tag)
            if uri != ns.ZEEBE or local in read:
                continue
            why = _WHY.get(local, f"not read on a '{owner_name}'")
            ctx.problem(extension, not_supported(f"Extension element 'zeebe:{local}'", why))


def _zeebe_attributes(ctx: BuildContext, element: etree._Element) -> None:
    for name in element.attrib:
        uri, local = ns.split_tag(str(name))
        if uri == ns.ZEEBE and local not in _MODELER_ATTRIBUTES:
            ctx.problem(element, not_supported(f"Attribute 'zeebe:{local}'"))


def _quantity(ctx: BuildContext, element: etree._Element, attribute: str) -> None:
    value = element.get(attribute)
    if value is not None and value.strip() != "1":
        ctx.problem(
            element,
            not_supported(f"Attribute '{attribute}' other than 1 ('{value}')"),
        )


def check_process(ctx: BuildContext, process: etree._Element) -> None:
    _extensions(ctx, process, _READ["process"])
    _zeebe_attributes(ctx, process)


def check_sequence_flow(ctx: BuildContext, flow: etree._Element) -> None:
    _extensions(ctx, flow, _READ["sequenceFlow"])
    _zeebe_attributes(ctx, flow)


def check_flow_node(ctx: BuildContext, element: etree._Element, local: str, node: FlowNode) -> None:
    """The rules of one flow node; `node` is what the builder made of it."""
    _extensions(ctx, element, _READ.get(local, _ANY_NODE))
    _zeebe_attributes(ctx, element)
    if local in _ACTIVITIES:
        _activity(ctx, element, local)
    if local in _CATCHING_EVENTS and _true(element.get("parallelMultiple")):
        ctx.problem(
            element,
            not_supported("Attribute 'parallelMultiple'", "an event has one trigger"),
        )
    if local == "eventBasedGateway":
        if _true(element.get("instantiate")):
            ctx.problem(
                element,
                not_supported("Attribute 'instantiate'", "an event-based gateway never starts"),
            )
        gateway_type = element.get("eventGatewayType")
        if gateway_type is not None and gateway_type.strip() != "Exclusive":
            ctx.problem(element, not_supported(f"Attribute 'eventGatewayType' of '{gateway_type}'"))
    if local == "userTask" and node.user_task is None:
        _user_task_form(ctx, element)
        for priority in zeebe_extensions(element, "priorityDefinition"):
            ctx.problem(
                priority,
                not_supported(
                    "Extension element 'zeebe:priorityDefinition' on a job-based user task",
                    "priorities are read on Camunda user tasks ('zeebe:userTask')",
                ),
            )
    if local == "scriptTask" and node.script is not None:
        for headers in zeebe_extensions(element, "taskHeaders"):
            ctx.problem(
                headers,
                not_supported(
                    "Extension element 'zeebe:taskHeaders' on a script task with a 'zeebe:script'",
                    "headers go with a 'zeebe:taskDefinition'",
                ),
            )
    _job_on_events(ctx, element, local, node)
    _ignored_inputs(ctx, element, node)
    for definition in bpmn_children(element):
        definition_name = local_name(definition) or ""
        if definition_name.endswith("EventDefinition"):
            _extensions(ctx, definition, _READ.get(definition_name, frozenset()))


def _activity(ctx: BuildContext, element: etree._Element, local: str) -> None:
    _quantity(ctx, element, "startQuantity")
    _quantity(ctx, element, "completionQuantity")
    if _true(element.get("isForCompensation")):
        ctx.problem(
            element, "Compensation handlers ('isForCompensation') are not supported by Honeyflow"
        )
    if local == "receiveTask" and _true(element.get("instantiate")):
        ctx.problem(
            element, not_supported("Attribute 'instantiate'", "a receive task never starts")
        )
    if local == "scriptTask" and bpmn_child(element, "script") is not None:
        ctx.problem(
            bpmn_child(element, "script"),
            not_supported("A BPMN 'script' body", "scripts are FEEL in 'zeebe:script'"),
        )
    loop = bpmn_child(element, "multiInstanceLoopCharacteristics")
    if loop is None:
        return
    _extensions(ctx, loop, _READ["multiInstanceLoopCharacteristics"])
    behavior = loop.get("behavior")
    if behavior is not None and behavior.strip() != "All":
        ctx.problem(loop, not_supported(f"Attribute 'behavior' of '{behavior}'"))
    for name in _BPMN_MULTI_INSTANCE_DATA:
        child = bpmn_child(loop, name)
        if child is not None:
            ctx.problem(
                child,
                not_supported(
                    f"'{name}'", "the collections are read from 'zeebe:loopCharacteristics'"
                ),
            )


def _user_task_form(ctx: BuildContext, element: etree._Element) -> None:
    for form in zeebe_extensions(element, "formDefinition"):
        for attribute in _FORM_KEY_ONLY:
            if form.get(attribute) is not None:
                ctx.problem(
                    form,
                    not_supported(
                        f"Attribute '{attribute}' of 'zeebe:formDefinition'",
                        "a job-based user task carries its 'formKey' as a header; a Camunda"
                        " user task ('zeebe:userTask') links deployed forms",
                    ),
                )


def _job_on_events(ctx: BuildContext, element: etree._Element, local: str, node: FlowNode) -> None:
    """Throw and end events read a task definition only as message events."""
    if local not in ("intermediateThrowEvent", "endEvent"):
        return
    if node.event_type is BpmnEventType.MESSAGE:
        return
    for name in ("taskDefinition", "taskHeaders"):
        for extension in zeebe_extensions(element, name):
            ctx.problem(
                extension,
                not_supported(
                    f"Extension element 'zeebe:{name}' on a {node.event_type.name.lower()} "
                    f"'{local}'",
                    "only message throw events are job-based",
                ),
            )


def _ignored_inputs(ctx: BuildContext, element: etree._Element, node: FlowNode) -> None:
    """Events entered through their trigger never evaluate input mappings."""
    if not node.io_mappings.inputs:
        return
    triggered = node.element_type is BpmnElementType.BOUNDARY_EVENT or (
        node.element_type is BpmnElementType.START_EVENT
        and node.event_type is not BpmnEventType.NONE
    )
    if not triggered:
        return
    for block in zeebe_extensions(element, "ioMapping"):
        for mapping in block:
            if mapping.tag == ns.zeebe("input"):
                ctx.problem(
                    mapping,
                    not_supported(
                        "An input mapping on a boundary event or on a start event with an "
                        "event definition",
                        "only output mappings apply",
                    ),
                )
