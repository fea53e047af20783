"""A job-based user task migrated to a Camunda user task (`zeebe:userTask`), as Zeebe 8.8
converts it: the task is created from what the job carried in its headers (assignee,
candidate groups and users, due and follow-up dates, a form key as external form
reference), then the job is canceled. A job whose form is embedded in the process
(`camunda-forms:bpmn:`) refuses the migration, as in Zeebe."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from bpmn import ExecutableProcess
from broker.protocol import RejectionType
from broker.protocol.intents import JobIntent
from broker.protocol.values import ProcessInstanceRecordValue
from processors.engine import migration_preconditions as check
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.user_task_behavior import UserTaskProperties, create_user_task
from processors.engine.context import ProcessingContext
from processors.engine.state import ElementInstance

_PREFIX = "io.camunda.zeebe:"
_EMBEDDED_FORM = "camunda-forms:bpmn:"


def _names(text: str | None) -> tuple[str, ...]:
    """A header holding a JSON list of names (as the job-based user task writes it)."""
    if not text:
        return ()
    try:
        names: Any = json.loads(text)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise check.refuse(
            RejectionType.INVALID_STATE,
            f"Failed to parse candidate users or groups: '{text}' is no JSON list of strings",
        )
    return tuple(names)


def convert_to_camunda_user_task(
    ctx: ProcessingContext,
    instance: ElementInstance,
    new: ProcessInstanceRecordValue,
    target_process: ExecutableProcess,
) -> None:
    job = ctx.state.jobs.get(instance.job_key)
    if job is None:
        return
    headers = job.value.custom_headers
    form_key = headers.get(f"{_PREFIX}formKey", "")
    if _EMBEDDED_FORM in form_key:
        raise check.refuse(
            RejectionType.INVALID_STATE,
            "Migrating Job-based User Task to User Task with embedded form is not supported",
        )
    properties = UserTaskProperties(
        assignee=headers.get(f"{_PREFIX}assignee", ""),
        candidate_groups=_names(headers.get(f"{_PREFIX}candidateGroups")),
        candidate_users=_names(headers.get(f"{_PREFIX}candidateUsers")),
        due_date=headers.get(f"{_PREFIX}dueDate", ""),
        follow_up_date=headers.get(f"{_PREFIX}followUpDate", ""),
        external_form_reference=form_key,
    )
    create_user_task(ElementCall(ctx, instance.key, new, target_process), properties)
    ctx.event(
        job.key,
        JobIntent.CANCELED,
        dataclasses.replace(
            job.value,
            element_id=new.element_id,
            bpmn_process_id=new.bpmn_process_id,
            process_definition_version=new.version,
            process_definition_key=new.process_definition_key,
        ),
    )
    ctx.retract_job(job.key, job.value.type, job.value.tenant_id)
