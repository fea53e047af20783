"""Reading the Zeebe extension elements of a flow node (`zeebe:taskDefinition`,
`zeebe:taskHeaders`, `zeebe:ioMapping`, `zeebe:calledElement`, `zeebe:loopCharacteristics`,
`zeebe:script`, `zeebe:properties`) into model parts, reporting Zeebe's problems on the way.
"""

from __future__ import annotations

import json

from lxml import etree

from bpmn.build_context import BuildContext
from bpmn.document import attribute, bpmn_child, text_of, zeebe_extensions
from bpmn.expressions import Expression, is_expression, static
from bpmn.job_types import job_type_problem
from bpmn.model_parts import (
    BINDING_TYPES,
    CalledDecision,
    CalledElement,
    HeaderExpression,
    IoMappings,
    JobDefinition,
    MultiInstance,
    Property,
    ScriptDefinition,
    TaskHeader,
    VariableMapping,
)
from bpmn.timers import TimerValueError, parse_date_time

DEFAULT_RETRIES = "3"
_MAX_RETRIES = 2**31 - 1  # bpmn imports nothing of ours: broker.protocol.number_ranges
USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"


def count_extension(element: etree._Element, name: str) -> int:
    return len(zeebe_extensions(element, name))


def read_job_definition(ctx: BuildContext, element: etree._Element) -> JobDefinition | None:
    definition = ctx.single_extension(
        element, zeebe_extensions(element, "taskDefinition"), "taskDefinition"
    )
    if definition is None:
        return None
    job_type = read_job_type(ctx, definition)
    retries = read_job_retries(ctx, definition)
    if job_type is None or retries is None:
        return None
    return JobDefinition(job_type, retries, read_headers(ctx, element))


def read_job_type(ctx: BuildContext, element: etree._Element) -> Expression | None:
    """The `type` of a task definition or an execution listener. A static type must be one a
    worker topic can hold (bpmn.job_types); one from an expression is checked by the engine."""
    job_type = ctx.expression(element, attribute(element, "type"), "type")
    if job_type is not None and job_type.is_static:
        problem = job_type_problem(job_type.static_value)
        if problem is not None:
            ctx.problem(element, f"Attribute 'type': {problem}")
    return job_type


def read_job_retries(ctx: BuildContext, element: etree._Element) -> Expression | None:
    """The `retries` of a task definition or an execution listener."""
    # Zeebe's model defaults retries to 3; only an explicitly empty value is a problem.
    retries = ctx.expression(element, element.get("retries", DEFAULT_RETRIES), "retries")
    text = retries.source.strip() if retries is not None else ""
    # ASCII digits only: str.isdigit() also takes '²' (which int() refuses) and '３'.
    if retries is not None and retries.is_static and not (text.isascii() and text.isdigit()):
        ctx.problem(
            element,
            f"Expected a non-negative number or an expression for 'retries' but found "
            f"'{retries.source}'",
        )
    elif retries is not None and retries.is_static and int(text) > _MAX_RETRIES:
        ctx.problem(
            element,
            f"Expected 'retries' to be at most {_MAX_RETRIES} (a 32-bit integer, as Zeebe's"
            f" records hold it) but found '{retries.source}'",
        )
    return retries


def read_headers(ctx: BuildContext, element: etree._Element) -> tuple[TaskHeader, ...]:
    headers: list[TaskHeader] = []
    for block in zeebe_extensions(element, "taskHeaders"):
        for header in block:
            if header.tag != "{http://camunda.org/schema/zeebe/1.0}header":
                continue
            key, value = header.get("key"), header.get("value")
            if not key:
                ctx.problem(header, "Attribute 'key' must be present and not empty")
                continue
            headers.append(TaskHeader(key, value or ""))
    return tuple(headers)


def read_io_mappings(ctx: BuildContext, element: etree._Element) -> IoMappings:
    block = ctx.single_extension(element, zeebe_extensions(element, "ioMapping"), "ioMapping")
    if block is None:
        return IoMappings()
    inputs: list[VariableMapping] = []
    outputs: list[VariableMapping] = []
    for mapping in block:
        if mapping.tag == "{http://camunda.org/schema/zeebe/1.0}input":
            # Inputs may be static values (a constant); outputs must be expressions.
            source = ctx.expression(mapping, mapping.get("source"), "source")
            into = inputs
        elif mapping.tag == "{http://camunda.org/schema/zeebe/1.0}output":
            source = ctx.expression(mapping, mapping.get("source"), "source", expression_only=True)
            into = outputs
        else:
            continue
        target = ctx.variable_path(mapping, mapping.get("target"), "target")
        if source is not None and target is not None:
            into.append(VariableMapping(source, target))
    return IoMappings(tuple(inputs), tuple(outputs))


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().lower() == "true"


def read_called_element(ctx: BuildContext, element: etree._Element) -> CalledElement | None:
    found = zeebe_extensions(element, "calledElement")
    if len(found) != 1:
        ctx.problem(element, "Must have exactly one 'zeebe:calledElement' extension element")
        return None
    called = found[0]
    process_id = ctx.expression(called, attribute(called, "processId"), "processId")
    binding_type = called.get("bindingType") or "latest"
    if binding_type not in BINDING_TYPES:
        ctx.problem(called, f"Attribute 'bindingType' must be one of: {', '.join(BINDING_TYPES)}")
        return None
    version_tag = called.get("versionTag")
    if binding_type == "versionTag" and not (version_tag or "").strip():
        ctx.problem(
            called,
            "Attribute 'versionTag' must be present and not empty if 'bindingType' is 'versionTag'",
        )
        return None
    if process_id is None:
        return None
    return CalledElement(
        process_id,
        _flag(called.get("propagateAllChildVariables"), True),
        _flag(called.get("propagateAllParentVariables"), True),
        binding_type,
        version_tag if binding_type == "versionTag" else None,
    )


def read_called_decision(ctx: BuildContext, element: etree._Element) -> CalledDecision | None:
    found = zeebe_extensions(element, "calledDecision")
    called = ctx.single_extension(element, found, "calledDecision")
    if called is None:
        return None
    decision_id = ctx.expression(called, attribute(called, "decisionId"), "decisionId")
    result = (called.get("resultVariable") or "").strip()
    if not result:
        ctx.problem(called, "Attribute 'resultVariable' must be present and not empty")
        return None
    binding_type = called.get("bindingType") or "latest"
    if binding_type not in BINDING_TYPES:
        ctx.problem(called, f"Attribute 'bindingType' must be one of: {', '.join(BINDING_TYPES)}")
        return None
    version_tag = called.get("versionTag")
    if binding_type == "versionTag" and not (version_tag or "").strip():
        ctx.problem(
            called,
            "Attribute 'versionTag' must be present and not empty if 'bindingType' is 'versionTag'",
        )
        return None
    if decision_id is None:
        return None
    return CalledDecision(
        decision_id,
        result,
        binding_type,
        version_tag if binding_type == "versionTag" else None,
    )


def read_script(ctx: BuildContext, element: etree._Element) -> ScriptDefinition | None:
    script = ctx.single_extension(element, zeebe_extensions(element, "script"), "script")
    if script is None:
        return None
    expression = ctx.expression(
        script, script.get("expression"), "expression", expression_only=True
    )
    result = script.get("resultVariable")
    if not result:
        ctx.problem(script, "Attribute 'resultVariable' must be present and not empty")
        return None
    if expression is None:
        return None
    return ScriptDefinition(expression, result.strip())


def read_properties(element: etree._Element) -> tuple[Property, ...]:
    found: list[Property] = []
    for block in zeebe_extensions(element, "properties"):
        for prop in block:
            if prop.tag == "{http://camunda.org/schema/zeebe/1.0}property" and prop.get("name"):
                found.append(Property(prop.get("name", ""), prop.get("value", "")))
    return tuple(found)


def read_multi_instance(ctx: BuildContext, loop: etree._Element) -> MultiInstance | None:
    """`loop` is a `multiInstanceLoopCharacteristics` element."""
    found = zeebe_extensions(loop, "loopCharacteristics")
    if len(found) != 1:
        ctx.problem(loop, "Must have exactly one 'zeebe:loopCharacteristics' extension element")
        return None
    zeebe_loop = found[0]
    input_collection = ctx.expression(
        zeebe_loop, zeebe_loop.get("inputCollection"), "inputCollection", expression_only=True
    )
    input_element = attribute(zeebe_loop, "inputElement") or None
    output_collection = attribute(zeebe_loop, "outputCollection") or None
    output_element_text = zeebe_loop.get("outputElement") or None
    if output_collection and not output_element_text:
        ctx.problem(
            zeebe_loop,
            "Attribute 'outputElement' must be present if the attribute 'outputCollection' is set",
        )
    elif output_element_text and not output_collection:
        ctx.problem(
            zeebe_loop,
            "Attribute 'outputCollection' must be present if the attribute 'outputElement' is set",
        )
    for name, value in (("inputElement", input_element), ("outputCollection", output_collection)):
        if value is not None:
            ctx.variable_path(zeebe_loop, value, name)
    output_element = (
        ctx.expression(zeebe_loop, output_element_text, "outputElement", expression_only=True)
        if output_element_text
        else None
    )
    condition_element = bpmn_child(loop, "completionCondition")
    condition_text = text_of(condition_element)
    completion = (
        ctx.expression(condition_element, condition_text, "completionCondition")
        if condition_element is not None and condition_text
        else None
    )
    if input_collection is None:
        return None
    return MultiInstance(
        is_sequential=_flag(loop.get("isSequential"), False),
        input_collection=input_collection,
        input_element=input_element,
        output_collection=output_collection,
        output_element=output_element,
        completion_condition=completion,
    )


def default_user_task_job(ctx: BuildContext, element: etree._Element) -> JobDefinition:
    """Zeebe's job-based user task: a job of a fixed type with one retry that a tasklist picks
    up; its headers are the task's `zeebe:taskHeaders` and those of `with_user_task_headers`."""
    return with_user_task_headers(
        ctx,
        element,
        JobDefinition(static(USER_TASK_JOB_TYPE), static("1"), read_headers(ctx, element)),
    )


def with_user_task_headers(
    ctx: BuildContext, element: etree._Element, job: JobDefinition
) -> JobDefinition:
    """A user task's job with the headers Zeebe gives a job-based user task: the form key of
    `zeebe:formDefinition`, the assignee and candidate groups and users (JSON lists) of
    `zeebe:assignmentDefinition` and the dates of `zeebe:taskSchedule`. A static value is a
    header now; an `=expression` is evaluated when the job is created."""
    headers = list(job.headers)
    expressions: list[HeaderExpression] = []
    for form in zeebe_extensions(element, "formDefinition"):
        form_key = attribute(form, "formKey")
        if form_key:
            headers.append(TaskHeader(f"{USER_TASK_HEADER_PREFIX}formKey", form_key))
    for name, attributes in _USER_TASK_HEADER_SOURCES:
        for source in zeebe_extensions(element, name):
            for attribute_name in attributes:
                key = f"{USER_TASK_HEADER_PREFIX}{attribute_name}"
                value = attribute(source, attribute_name)
                if not value:
                    continue
                kind = _header_kind(attribute_name)
                if is_expression(value):
                    compiled = ctx.expression(source, value, attribute_name)
                    if compiled is not None:
                        expressions.append(HeaderExpression(key, compiled, kind))
                    continue
                static_value = _static_header_value(ctx, source, attribute_name, value, kind)
                if static_value is not None:
                    headers.append(TaskHeader(key, static_value))
    if len(headers) == len(job.headers) and not expressions:
        return job
    return JobDefinition(
        job.type, job.retries, tuple(headers), (*job.header_expressions, *expressions)
    )


USER_TASK_HEADER_PREFIX = "io.camunda.zeebe:"
_USER_TASK_HEADER_SOURCES = (
    ("assignmentDefinition", ("assignee", "candidateGroups", "candidateUsers")),
    ("taskSchedule", ("dueDate", "followUpDate")),
)


def _header_kind(attribute_name: str) -> str:
    if attribute_name in ("candidateGroups", "candidateUsers"):
        return "list"
    if attribute_name in ("dueDate", "followUpDate"):
        return "date"
    return "text"


def _static_header_value(
    ctx: BuildContext, source: etree._Element, attribute_name: str, value: str, kind: str
) -> str | None:
    if kind == "list":
        items = [item.strip() for item in value.split(",")]
        if not all(items):
            ctx.problem(
                source,
                f"Expected a comma-separated list for '{attribute_name}' but found '{value}'",
            )
            return None
        return json.dumps(items, separators=(",", ":"))
    if kind == "date":
        try:
            parse_date_time(value)
        except TimerValueError as exc:
            ctx.problem(source, f"Attribute '{attribute_name}': {exc}")
            return None
    return value
