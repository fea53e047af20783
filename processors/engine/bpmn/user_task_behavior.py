"""Camunda user tasks (`zeebe:userTask`) of an element: evaluate the task's properties when
the element activates, write USER_TASK CREATING / CREATED (and ASSIGNING / ASSIGNED when it
has an assignee), and cancel the task when the element is terminated.

An expression that fails or gives the wrong type is an EXTRACT_VALUE_ERROR incident, a
`formId` with no deployed form a FORM_NOT_FOUND incident, as in Zeebe; resolving it runs the
activation again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bpmn import Expression
from bpmn.model_parts import FormLink, UserTaskDefinition
from bpmn.timers import TimerValueError, parse_date_time
from broker.protocol.intents import UserTaskIntent
from broker.protocol.values import UserTaskRecordValue
from broker.protocol.values.user_task import DEFAULT_PRIORITY
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.expression_behavior import (
    ExpressionFailure,
    evaluate,
    result_type_name,
)
from processors.engine.state import DeployedForm

MAX_PRIORITY = 100


class FormNotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class UserTaskProperties:
    assignee: str = ""
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    due_date: str = ""
    follow_up_date: str = ""
    priority: int = DEFAULT_PRIORITY
    form_key: int = -1
    external_form_reference: str = ""


def evaluate_user_task(call: ElementCall, task: UserTaskDefinition) -> UserTaskProperties:
    """Raises ExpressionFailure or FormNotFound."""
    variables = call.ctx.state.variables.visible(call.key)
    now = call.ctx.now_ms
    return UserTaskProperties(
        assignee=_text(task.assignee, variables, now),
        candidate_groups=_list(task.candidate_groups, variables, now),
        candidate_users=_list(task.candidate_users, variables, now),
        due_date=_date(task.due_date, variables, now),
        follow_up_date=_date(task.follow_up_date, variables, now),
        priority=_priority(task.priority, variables, now),
        form_key=-1 if task.form is None else _form_key(call, task.form),
        external_form_reference=""
        if task.form is None or task.form.external_reference is None
        else _text(task.form.external_reference, variables, now),
    )


def _text(expression: Expression | None, variables: Mapping[str, Any], now: int) -> str:
    if expression is None:
        return ""
    value = evaluate(expression, variables, now)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ExpressionFailure(
            f"Expected result of the expression '{expression.feel_text}' to be 'STRING', but"
            f" was '{result_type_name(value)}'."
        )
    return value


def _list(expression: Expression | None, variables: Mapping[str, Any], now: int) -> tuple[str, ...]:
    if expression is None:
        return ()
    if expression.is_static:
        return tuple(item.strip() for item in expression.static_value.split(","))
    value = evaluate(expression, variables, now)
    feel = expression.feel_text
    if not isinstance(value, list):
        raise ExpressionFailure(
            f"Expected result of the expression '{feel}' to be 'ARRAY', but was"
            f" '{result_type_name(value)}'."
        )
    if not all(isinstance(item, str) for item in value):
        raise ExpressionFailure(
            f"Expected result of the expression '{feel}' to be 'ARRAY' containing 'STRING'"
            " items, but was 'ARRAY' containing at least one non-'STRING' item."
        )
    return tuple(value)


def _date(expression: Expression | None, variables: Mapping[str, Any], now: int) -> str:
    if expression is None:
        return ""
    value = evaluate(expression, variables, now)
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parse_date_time(value)
        except TimerValueError:
            pass
        else:
            return value
    raise ExpressionFailure(
        f"Expected result of the expression '{expression.feel_text}' to be a date and time"
        f" with an offset or zone (ISO 8601), but was '{value}'."
    )


def _priority(expression: Expression | None, variables: Mapping[str, Any], now: int) -> int:
    if expression is None:
        return DEFAULT_PRIORITY
    value = evaluate(expression, variables, now)
    if expression.is_static:
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        shown = value if isinstance(value, float) else f"'{result_type_name(value)}'"
        raise ExpressionFailure(
            f"Expected result of the expression '{expression.feel_text}' to be a whole"
            f" 'NUMBER', but was {shown}."
        )
    if not 0 <= value <= MAX_PRIORITY:
        raise ExpressionFailure(
            f"Expected priority to be in the range [0,{MAX_PRIORITY}] but was '{value}'."
        )
    return value


def _form_key(call: ElementCall, form: FormLink) -> int:
    if form.form_id is None:
        return -1
    found = _linked_form(call, form)
    if found is None:
        raise FormNotFound(_not_found_message(call, form))
    return found.key


def _linked_form(call: ElementCall, form: FormLink) -> DeployedForm | None:
    forms = call.ctx.state.forms
    assert form.form_id is not None
    if form.binding_type == "deployment":
        process = call.ctx.state.processes.by_key(call.value.process_definition_key)
        return (
            None if process is None else forms.of_deployment(form.form_id, process.deployment_key)
        )
    if form.binding_type == "versionTag":
        return forms.with_tag(form.form_id, form.version_tag or "", call.value.tenant_id)
    return forms.latest(form.form_id, call.value.tenant_id)


def _not_found_message(call: ElementCall, form: FormLink) -> str:
    """Zeebe's words, with what to do about it."""
    if form.binding_type == "deployment":
        process = call.ctx.state.processes.by_key(call.value.process_definition_key)
        deployment = -1 if process is None else process.deployment_key
        return (
            f"Expected to use a form with id '{form.form_id}' with binding type 'deployment',"
            f" but no such form found in the deployment with key {deployment} which contained"
            " the current process. To resolve this incident, deploy the process together with"
            " the form it uses and start a new instance"
        )
    if form.binding_type == "versionTag":
        return (
            f"Expected to use a form with id '{form.form_id}' and version tag"
            f" '{form.version_tag}', but no such form found. To resolve the incident, deploy a"
            " form with the given id and version tag."
        )
    return (
        f"Expected to find a form with id '{form.form_id}', but no form with this id is found,"
        " at least a form with this id should be available. To resolve the Incident please"
        " deploy a form with the same id"
    )


def create_user_task(call: ElementCall, properties: UserTaskProperties) -> None:
    """USER_TASK CREATING (with the assignee the model gives) and CREATED (without it), then
    ASSIGNING and ASSIGNED if it has one: as Zeebe 8.8 creates the task and assigns it right
    after."""
    node = call.require_node()
    task = node.user_task
    assert task is not None
    value = call.value
    ctx = call.ctx
    key = ctx.next_key()
    created = UserTaskRecordValue(
        user_task_key=key,
        candidate_groups_list=properties.candidate_groups,
        candidate_users_list=properties.candidate_users,
        due_date=properties.due_date,
        follow_up_date=properties.follow_up_date,
        form_key=properties.form_key,
        external_form_reference=properties.external_form_reference,
        custom_headers={h.key: h.value for h in task.headers},
        priority=properties.priority,
        creation_timestamp=ctx.now_ms,
        element_id=value.element_id,
        element_instance_key=call.key,
        bpmn_process_id=value.bpmn_process_id,
        process_definition_version=value.version,
        process_definition_key=value.process_definition_key,
        process_instance_key=value.process_instance_key,
        tenant_id=value.tenant_id,
    )
    if properties.assignee:
        ctx.event(
            key, UserTaskIntent.CREATING, dataclasses.replace(created, assignee=properties.assignee)
        )
    else:
        ctx.event(key, UserTaskIntent.CREATING, created)
    ctx.event(key, UserTaskIntent.CREATED, created)
    if properties.assignee:
        assigned = _assigned(created, properties.assignee)
        ctx.event(key, UserTaskIntent.ASSIGNING, assigned)
        ctx.event(key, UserTaskIntent.ASSIGNED, assigned)


def _assigned(value: UserTaskRecordValue, assignee: str) -> UserTaskRecordValue:
    return dataclasses.replace(value, assignee=assignee, changed_attributes=("assignee",))


def cancel_user_task(call: ElementCall) -> None:
    """USER_TASK CANCELING and CANCELED for the element's task, if it has one."""
    task = call.ctx.state.user_tasks.for_element(call.key)
    if task is None:
        return
    call.ctx.event(task.key, UserTaskIntent.CANCELING, task.value)
    call.ctx.event(task.key, UserTaskIntent.CANCELED, task.value)
