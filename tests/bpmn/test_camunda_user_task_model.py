"""The model of a Camunda user task (`zeebe:userTask`): what it reads and the deployment rules
on its static values."""

from __future__ import annotations

import pytest

from bpmn import BpmnError, load

_HEAD = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
    '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
    '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="task"/>'
)


def _process(extensions: str) -> bytes:
    return (
        f'{_HEAD}<bpmn:userTask id="task"><bpmn:extensionElements>{extensions}'
        "</bpmn:extensionElements></bpmn:userTask></bpmn:process></bpmn:definitions>"
    ).encode()


def test_a_camunda_user_task_reads_its_extensions_and_has_no_job() -> None:
    node = (
        load(
            _process(
                "<zeebe:userTask/>"
                '<zeebe:assignmentDefinition assignee="=owner" candidateGroups="a, b"/>'
                '<zeebe:taskSchedule dueDate="2030-01-01T00:00:00Z"/>'
                '<zeebe:priorityDefinition priority="7"/>'
                '<zeebe:formDefinition formId="f" bindingType="versionTag" versionTag="v1"/>'
            )
        )
        .process("p")
        .elements["task"]
    )
    task = node.user_task
    assert node.job is None and task is not None
    assert task.assignee is not None and not task.assignee.is_static
    assert task.candidate_groups is not None and task.candidate_groups.source == "a, b"
    assert task.priority is not None and task.priority.source == "7"
    assert task.form is not None
    assert (task.form.form_id, task.form.binding_type, task.form.version_tag) == (
        "f",
        "versionTag",
        "v1",
    )


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ('<zeebe:priorityDefinition priority="101"/>', "'priority' to be a number from 0 to 100"),
        ('<zeebe:taskSchedule dueDate="soon"/>', "Attribute 'dueDate'"),
        ('<zeebe:assignmentDefinition candidateUsers="a,,b"/>', "comma-separated list"),
        ('<zeebe:formDefinition formId="f" formKey="k"/>', "Exactly one of the attributes"),
        ('<zeebe:formDefinition formId="f" bindingType="newest"/>', "'bindingType' must be"),
        ('<zeebe:taskDefinition type="t"/>', "has no job"),
    ],
)
def test_bad_static_values_are_refused(extensions: str, message: str) -> None:
    with pytest.raises(BpmnError, match=message):
        load(_process(f"<zeebe:userTask/>{extensions}"))
