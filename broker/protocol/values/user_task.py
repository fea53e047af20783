"""Values of Camunda user tasks (`zeebe:userTask`): the task a person works on, with its
assignment, schedule, priority and form, as Zeebe 8.8's UserTaskRecord carries them."""

# ruff: noqa: RUF009  (prop() wraps dataclasses.field; ruff cannot see that)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from broker.protocol.fast_init import fast_init
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import (
    RecordValue,
    key_prop,
    prop,
    tenant_prop,
    variables_prop,
)

DEFAULT_PRIORITY = 50
"""Zeebe's priority of a user task without `zeebe:priorityDefinition`."""


@fast_init
@dataclass(frozen=True, slots=True)
class UserTaskRecordValue(RecordValue):
    """One user task. The record's `key` is the user task key (also in `userTaskKey`), which
    ASSIGN / CLAIM / UPDATE / COMPLETE commands carry in their `key`."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.USER_TASK
    SCHEMA_NAME: ClassVar[str] = "user-task"

    user_task_key: int = key_prop("The key of the user task.")
    assignee: str = prop(
        "The user the task is assigned to; empty if unassigned. On ASSIGN: the new assignee"
        " (empty: unassign); on CLAIM: the claiming user.",
        default="",
    )
    candidate_groups_list: tuple[str, ...] = prop(
        "The groups whose members may claim the task.", default=()
    )
    candidate_users_list: tuple[str, ...] = prop("The users who may claim the task.", default=())
    due_date: str = prop(
        "When the task is due, an ISO 8601 date-time with offset; empty if none.", default=""
    )
    follow_up_date: str = prop(
        "When the task should be followed up, an ISO 8601 date-time with offset; empty if none.",
        default="",
    )
    form_key: int = key_prop(
        "The key of the deployed form (FORM record) linked with `zeebe:formDefinition formId`."
    )
    external_form_reference: str = prop(
        "A custom form's reference (`zeebe:formDefinition externalReference`, or `formKey`);"
        " empty if none.",
        default="",
    )
    custom_headers: dict[str, str] = prop(
        "The task's static headers (`zeebe:taskHeaders`), string to string.", factory=dict
    )
    priority: int = prop(
        "The task's priority, 0 to 100 (`zeebe:priorityDefinition`; 50 if not given).",
        default=DEFAULT_PRIORITY,
    )
    variables: dict[str, Any] = variables_prop(
        "On COMPLETE / COMPLETING / COMPLETED: the variables the user sets (merged into the"
        " task's scope, then its output mappings apply)."
    )
    changed_attributes: tuple[str, ...] = prop(
        "On UPDATE: the attributes the command changes; on UPDATING / UPDATED: those changed"
        " (`candidateGroupsList`, `candidateUsersList`, `dueDate`, `followUpDate`, `priority`);"
        " on ASSIGNING / ASSIGNED: `assignee`.",
        default=(),
    )
    action: str = prop(
        "What the user did: `assign`, `claim`, `unassign`, `update`, `complete` by default, or"
        " a custom action given with the command.",
        default="",
    )
    creation_timestamp: int = prop("Epoch millis when the task was created.", default=-1)
    element_id: str = prop("The BPMN id of the user task element.", default="")
    element_instance_key: int = key_prop("The element instance of the user task.")
    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    process_definition_version: int = prop("The version of the process.", default=-1)
    process_definition_key: int = key_prop("The key of the deployed process.")
    process_instance_key: int = key_prop("The key of the process instance.")
    tenant_id: str = tenant_prop()
