"""Reading a Camunda user task (`zeebe:userTask`): its assignment, schedule, priority and form
into a `UserTaskDefinition`, with Zeebe's deployment rules on the static values (a comma-
separated candidate list, an ISO 8601 date-time with offset, a priority from 0 to 100, one
form reference and a known binding type). Expressions are checked when the task is created.
"""

from __future__ import annotations

from lxml import etree

from bpmn.build_context import BuildContext
from bpmn.build_extensions import read_headers
from bpmn.document import attribute, zeebe_extensions
from bpmn.expressions import Expression
from bpmn.model_parts import FormLink, UserTaskDefinition
from bpmn.timers import TimerValueError, parse_date_time

FORM_BINDING_TYPES = ("deployment", "latest", "versionTag")
"""`bindingType` values of `zeebe:formDefinition formId`, as for called elements."""
MAX_PRIORITY = 100


def is_camunda_user_task(element: etree._Element) -> bool:
    return bool(zeebe_extensions(element, "userTask"))


def read_user_task(ctx: BuildContext, element: etree._Element) -> UserTaskDefinition:
    ctx.single_extension(element, zeebe_extensions(element, "userTask"), "userTask")
    for definition in zeebe_extensions(element, "taskDefinition"):
        ctx.problem(
            definition,
            "A Camunda user task ('zeebe:userTask') has no job: remove 'zeebe:taskDefinition'"
            " or 'zeebe:userTask'",
        )
    assignment = _single(ctx, element, "assignmentDefinition")
    schedule = _single(ctx, element, "taskSchedule")
    priority = _single(ctx, element, "priorityDefinition")
    return UserTaskDefinition(
        assignee=_value(ctx, assignment, "assignee"),
        candidate_groups=_list(ctx, assignment, "candidateGroups"),
        candidate_users=_list(ctx, assignment, "candidateUsers"),
        due_date=_date(ctx, schedule, "dueDate"),
        follow_up_date=_date(ctx, schedule, "followUpDate"),
        priority=_priority(ctx, priority),
        form=_form(ctx, _single(ctx, element, "formDefinition")),
        headers=read_headers(ctx, element),
    )


def _single(ctx: BuildContext, element: etree._Element, name: str) -> etree._Element | None:
    return ctx.single_extension(element, zeebe_extensions(element, name), name)


def _value(ctx: BuildContext, source: etree._Element | None, name: str) -> Expression | None:
    if source is None:
        return None
    text = attribute(source, name)
    if not text:
        return None
    return ctx.expression(source, text, name)


def _list(ctx: BuildContext, source: etree._Element | None, name: str) -> Expression | None:
    value = _value(ctx, source, name)
    if (
        value is not None
        and value.is_static
        and source is not None
        and not all(item.strip() for item in value.static_value.split(","))
    ):
        ctx.problem(
            source, f"Expected a comma-separated list for '{name}' but found '{value.source}'"
        )
        return None
    return value


def _date(ctx: BuildContext, source: etree._Element | None, name: str) -> Expression | None:
    value = _value(ctx, source, name)
    if value is not None and value.is_static and source is not None:
        try:
            parse_date_time(value.static_value)
        except TimerValueError as exc:
            ctx.problem(source, f"Attribute '{name}': {exc}")
            return None
    return value


def _priority(ctx: BuildContext, source: etree._Element | None) -> Expression | None:
    value = _value(ctx, source, "priority")
    if value is not None and value.is_static and source is not None:
        text = value.static_value.strip()
        if not (text.isascii() and text.isdigit() and int(text) <= MAX_PRIORITY):
            ctx.problem(
                source,
                f"Expected 'priority' to be a number from 0 to {MAX_PRIORITY} but found"
                f" '{value.source}'",
            )
            return None
    return value


def _form(ctx: BuildContext, form: etree._Element | None) -> FormLink | None:
    if form is None:
        return None
    form_id = attribute(form, "formId")
    form_key = attribute(form, "formKey")
    reference = attribute(form, "externalReference")
    given = [
        name
        for name, v in (
            ("formId", form_id),
            ("formKey", form_key),
            ("externalReference", reference),
        )
        if v
    ]
    if len(given) != 1:
        ctx.problem(
            form,
            "Exactly one of the attributes 'formId', 'formKey' and 'externalReference' must be"
            " present and not empty",
        )
        return None
    binding = attribute(form, "bindingType") or "latest"
    version_tag = attribute(form, "versionTag")
    if binding not in FORM_BINDING_TYPES:
        ctx.problem(
            form,
            f"Attribute 'bindingType' must be one of {', '.join(FORM_BINDING_TYPES)}, but was"
            f" '{binding}'",
        )
        return None
    if binding == "versionTag" and not version_tag:
        ctx.problem(form, "Attribute 'versionTag' must be present and not empty")
        return None
    if form_id:
        return FormLink(form_id=form_id, binding_type=binding, version_tag=version_tag)
    external = ctx.expression(form, reference or form_key, "externalReference")
    return None if external is None else FormLink(external_reference=external)
