"""Building one flow node (event, task, gateway, subprocess, call activity) from its XML
element: its type, the parts Zeebe reads from its extension elements, and the local rules.
Flows, scopes and cross-element rules are the process builder's and `rules_graph`'s job.
"""

from __future__ import annotations

import enum
from typing import Final

from lxml import etree

from bpmn.build_context import BuildContext
from bpmn.build_events import EventParts, EventRole, read_event, read_message_ref
from bpmn.build_extensions import (
    count_extension,
    default_user_task_job,
    read_called_decision,
    read_called_element,
    read_io_mappings,
    read_job_definition,
    read_multi_instance,
    read_properties,
    read_script,
    with_user_task_headers,
)
from bpmn.build_listeners import read_execution_listeners
from bpmn.build_user_task import is_camunda_user_task, read_user_task
from bpmn.document import attribute, bpmn_child, line_of, ref_id
from bpmn.model import FlowNode
from bpmn.model_parts import JobDefinition, MultiInstance
from bpmn.model_types import BpmnElementType, BpmnEventType
from bpmn.problems import element_path
from bpmn.rules_unsupported import check_flow_node

T = BpmnElementType

FLOW_NODE_TYPES: Final[dict[str, BpmnElementType]] = {
    "startEvent": T.START_EVENT,
    "endEvent": T.END_EVENT,
    "intermediateCatchEvent": T.INTERMEDIATE_CATCH_EVENT,
    "intermediateThrowEvent": T.INTERMEDIATE_THROW_EVENT,
    "boundaryEvent": T.BOUNDARY_EVENT,
    "serviceTask": T.SERVICE_TASK,
    "userTask": T.USER_TASK,
    "sendTask": T.SEND_TASK,
    "receiveTask": T.RECEIVE_TASK,
    "scriptTask": T.SCRIPT_TASK,
    "businessRuleTask": T.BUSINESS_RULE_TASK,
    "manualTask": T.MANUAL_TASK,
    "task": T.TASK,
    "exclusiveGateway": T.EXCLUSIVE_GATEWAY,
    "parallelGateway": T.PARALLEL_GATEWAY,
    "inclusiveGateway": T.INCLUSIVE_GATEWAY,
    "eventBasedGateway": T.EVENT_BASED_GATEWAY,
    "subProcess": T.SUB_PROCESS,
    "callActivity": T.CALL_ACTIVITY,
}


class ScopeKind(enum.Enum):
    PROCESS = "process"
    SUB_PROCESS = "subProcess"
    EVENT_SUB_PROCESS = "eventSubProcess"


_START_ROLES: Final = {
    ScopeKind.PROCESS: EventRole.PROCESS_START,
    ScopeKind.SUB_PROCESS: EventRole.EMBEDDED_START,
    ScopeKind.EVENT_SUB_PROCESS: EventRole.EVENT_SUBPROCESS_START,
}
_EVENT_ROLES: Final = {
    "endEvent": EventRole.END,
    "intermediateCatchEvent": EventRole.CATCH,
    "intermediateThrowEvent": EventRole.THROW,
    "boundaryEvent": EventRole.BOUNDARY,
}


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().lower() == "true"


def element_type_of(local: str, element: etree._Element) -> BpmnElementType:
    if local == "subProcess" and _flag(element.get("triggeredByEvent"), False):
        return T.EVENT_SUB_PROCESS
    return FLOW_NODE_TYPES[local]


def build_flow_node(
    ctx: BuildContext, element: etree._Element, local: str, scope_id: str, scope_kind: ScopeKind
) -> FlowNode:
    node = _build(ctx, element, local, scope_id, scope_kind)
    listeners = read_execution_listeners(ctx, element, node.element_type, node.event_type)
    if listeners:
        node = _replace(node, execution_listeners=listeners)
    check_flow_node(ctx, element, local, node)
    return node


def _build(
    ctx: BuildContext, element: etree._Element, local: str, scope_id: str, scope_kind: ScopeKind
) -> FlowNode:
    element_id = element.get("id", "")
    element_type = element_type_of(local, element)
    node = FlowNode(
        id=element_id,
        name=element.get("name") or None,
        element_type=element_type,
        event_type=BpmnEventType.UNSPECIFIED,
        flow_scope_id=scope_id,
        line=line_of(element),
        element_path=element_path(element),
        io_mappings=read_io_mappings(ctx, element),
        properties=read_properties(element),
    )
    if local in ("startEvent", *_EVENT_ROLES):
        return _with_event(ctx, element, local, scope_kind, node)
    if element_type.is_activity:
        node = _with_activity(ctx, element, local, node)
    elif local in ("exclusiveGateway", "inclusiveGateway"):
        node = _replace(node, default_flow_id=ref_id(element.get("default")))
    return node


def _replace(node: FlowNode, **changes: object) -> FlowNode:
    from dataclasses import replace

    return replace(node, **changes)  # type: ignore[arg-type]


def _with_event(
    ctx: BuildContext, element: etree._Element, local: str, scope_kind: ScopeKind, node: FlowNode
) -> FlowNode:
    role = _START_ROLES[scope_kind] if local == "startEvent" else _EVENT_ROLES[local]
    interrupting = True
    changes: dict[str, object] = {}
    if role is EventRole.EVENT_SUBPROCESS_START:
        interrupting = _flag(element.get("isInterrupting"), True)
        changes["interrupting"] = interrupting
    elif role is EventRole.BOUNDARY:
        interrupting = _flag(element.get("cancelActivity"), True)
        changes["cancel_activity"] = interrupting
        changes["attached_to_id"] = ref_id(element.get("attachedToRef"))
    parts: EventParts = read_event(ctx, element, role, interrupting=interrupting)
    return _replace(
        node,
        event_type=parts.event_type,
        message=parts.message,
        timer=parts.timer,
        error=parts.error,
        escalation=parts.escalation,
        signal=parts.signal,
        link_name=parts.link_name,
        job=parts.job,
        **changes,
    )


def _with_activity(
    ctx: BuildContext, element: etree._Element, local: str, node: FlowNode
) -> FlowNode:
    changes: dict[str, object] = {"multi_instance": _read_loop(ctx, element)}
    if local == "serviceTask":
        changes["job"] = _required_job(ctx, element)
    elif local == "userTask" and is_camunda_user_task(element):
        changes["user_task"] = read_user_task(ctx, element)
    elif local == "userTask":
        if count_extension(element, "taskDefinition"):
            job = read_job_definition(ctx, element)
            changes["job"] = None if job is None else with_user_task_headers(ctx, element, job)
        else:
            changes["job"] = default_user_task_job(ctx, element)
    elif local == "sendTask":
        changes["job"] = _job_or_alternative(ctx, element, "publishMessage", _PUBLISH_NOT_SUPPORTED)
    elif local == "businessRuleTask":
        decisions = count_extension(element, "calledDecision")
        tasks = count_extension(element, "taskDefinition")
        if not ((decisions == 1 and tasks == 0) or (decisions == 0 and tasks == 1)):
            ctx.problem(
                element,
                "Must have either one 'zeebe:calledDecision' or one 'zeebe:taskDefinition' "
                "extension element",
            )
        elif decisions:
            changes["called_decision"] = read_called_decision(ctx, element)
        else:
            changes["job"] = read_job_definition(ctx, element)
    elif local == "scriptTask":
        scripts = count_extension(element, "script")
        tasks = count_extension(element, "taskDefinition")
        if not ((scripts == 1 and tasks == 0) or (scripts == 0 and tasks == 1)):
            ctx.problem(
                element,
                "Must have either one 'zeebe:script' or one 'zeebe:taskDefinition' extension "
                "element",
            )
        elif scripts:
            changes["script"] = read_script(ctx, element)
        else:
            changes["job"] = read_job_definition(ctx, element)
    elif local == "receiveTask":
        changes["message"] = read_message_ref(ctx, element, catching=True)
        changes["event_type"] = BpmnEventType.MESSAGE
    elif local == "callActivity":
        changes["called_element"] = read_called_element(ctx, element)
    return _replace(node, **changes)


_PUBLISH_NOT_SUPPORTED: Final = (
    "Publishing a message directly ('zeebe:publishMessage') is not supported by Honeyflow; use "
    "a 'zeebe:taskDefinition' and publish from a job worker"
)


def _required_job(ctx: BuildContext, element: etree._Element) -> JobDefinition | None:
    if count_extension(element, "taskDefinition") != 1:
        ctx.problem(element, "Must have exactly one 'zeebe:taskDefinition' extension element")
        return None
    return read_job_definition(ctx, element)


def _job_or_alternative(
    ctx: BuildContext, element: etree._Element, alternative: str, unsupported: str
) -> JobDefinition | None:
    others = count_extension(element, alternative)
    tasks = count_extension(element, "taskDefinition")
    if not ((others == 1 and tasks == 0) or (others == 0 and tasks == 1)):
        ctx.problem(
            element,
            f"Must have either one 'zeebe:{alternative}' or one 'zeebe:taskDefinition' "
            "extension element",
        )
        return None
    if others:
        ctx.problem(element, unsupported)
        return None
    return read_job_definition(ctx, element)


def _read_loop(ctx: BuildContext, element: etree._Element) -> MultiInstance | None:
    standard = bpmn_child(element, "standardLoopCharacteristics")
    if standard is not None:
        ctx.problem(
            standard,
            "Loop characteristics of type 'standardLoopCharacteristics' are not supported; "
            "use 'multiInstanceLoopCharacteristics'",
        )
    loop = bpmn_child(element, "multiInstanceLoopCharacteristics")
    return read_multi_instance(ctx, loop) if loop is not None else None


def version_tag(ctx: BuildContext, process: etree._Element) -> str | None:
    from bpmn.document import zeebe_extensions

    tags = zeebe_extensions(process, "versionTag")
    return attribute(tags[0], "value") if tags else None
