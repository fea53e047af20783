"""Appliers of user task and form events: a task's lifecycle state follows its events
(`state.user_task_lifecycle`); COMPLETED hands the task's variables to its element's
completion, as a job's COMPLETED does; FORM CREATED stores a form version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from broker.protocol import Intent, Record, ValueType
from broker.protocol.intents import FormIntent, UserTaskIntent
from broker.protocol.values import FormRecordValue, UserTaskRecordValue
from processors.engine.state import EngineState
from processors.engine.state.form_state import DeployedForm
from processors.engine.state.user_task_lifecycle import ENTERS, check

_Applier = Callable[[Record[Any], EngineState], None]


def _moved(record: Record[UserTaskRecordValue], state: EngineState) -> None:
    intent: UserTaskIntent = record.intent  # type: ignore[assignment]
    task = state.user_tasks.get(record.key)
    if task is None:
        if intent is not UserTaskIntent.CREATING:
            raise LookupError(f"no user task {record.key} to take {intent.value}")
    else:
        check(record.key, task.state, intent)
    state.user_tasks.put(record.key, ENTERS[intent], record.value)


def _ended(record: Record[UserTaskRecordValue], state: EngineState) -> None:
    task = state.user_tasks.get(record.key)
    if task is not None:
        check(record.key, task.state, record.intent)  # type: ignore[arg-type]
    state.user_tasks.remove(record.key)


def _completed(record: Record[UserTaskRecordValue], state: EngineState) -> None:
    _ended(record, state)
    instance = state.elements.get(record.value.element_instance_key)
    if instance is not None:
        state.elements.put(instance.with_job(-1, dict(record.value.variables)))


def _form_created(record: Record[FormRecordValue], state: EngineState) -> None:
    v = record.value
    state.forms.put_form(
        DeployedForm(
            key=v.form_key,
            form_id=v.form_id,
            version=v.version,
            resource_name=v.resource_name,
            checksum=v.checksum.hex(),
            resource=v.resource,
            deployment_key=v.deployment_key,
            version_tag=v.version_tag,
            tenant_id=v.tenant_id,
        )
    )


USER_TASK_APPLIERS: dict[tuple[ValueType, Intent], _Applier] = {
    **{(ValueType.USER_TASK, intent): _moved for intent in ENTERS},
    (ValueType.USER_TASK, UserTaskIntent.COMPLETED): _completed,
    (ValueType.USER_TASK, UserTaskIntent.CANCELED): _ended,
    (ValueType.FORM, FormIntent.CREATED): _form_created,
}
