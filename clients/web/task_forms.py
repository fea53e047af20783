"""What the task page's form script reads: the task's Camunda form (a form deployed as a
`.form` resource, or one embedded in the process as `zeebe:userTaskForm` and named by a
`camunda-forms:bpmn:` form key) and the variables it starts from, those the task sees in
its scope chain (innermost wins), as Tasklist prefills its forms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from bpmn import namespaces as ns
from bpmn.errors import BpmnError
from bpmn.xml_reader import read_xml
from processors.exporter.views import ElementInstance, Variable

EMBEDDED_FORM_PREFIX = "camunda-forms:bpmn:"


class FormError(Exception):
    """The task names a form the page cannot show; the message says which and why."""


def parse_form(text: str, source: str) -> dict[str, Any]:
    """A form schema (form-js JSON): an object with a `components` list."""
    try:
        schema = json.loads(text)
    except ValueError as e:
        raise FormError(f"{source} is not JSON: {e}") from None
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        raise FormError(f"{source} is not a Camunda form: no 'components' list")
    return schema


def embedded_form_id(form_reference: str) -> str | None:
    """`userTaskForm_1` of `camunda-forms:bpmn:userTaskForm_1`, else None."""
    if form_reference.startswith(EMBEDDED_FORM_PREFIX):
        return form_reference[len(EMBEDDED_FORM_PREFIX) :] or None
    return None


def embedded_form(bpmn_xml: str, bpmn_process_id: str, form_id: str) -> dict[str, Any]:
    """The `zeebe:userTaskForm` of id `form_id` in the process (Camunda 8's embedded forms,
    read by the same guarded XML reader as deployments)."""
    source = f"{bpmn_process_id}.bpmn"
    try:
        root = read_xml(bpmn_xml.encode(), source)
    except BpmnError as e:
        raise FormError(str(e)) from None
    for element in root.iter(ns.zeebe("userTaskForm")):
        if element.get("id") == form_id:
            return parse_form(element.text or "", f"form {form_id!r} of {source}")
    raise FormError(f"{source} has no zeebe:userTaskForm with id {form_id!r}")


def scope_chain(path: Iterable[ElementInstance], element_instance_key: int) -> list[int]:
    """The element instance and its flow scopes, innermost first, up to the process."""
    scopes = {e.element_instance_key: e.flow_scope_key for e in path}
    chain: list[int] = []
    key = element_instance_key
    while key > 0 and key not in chain:
        chain.append(key)
        key = scopes.get(key, -1)
    return chain


def task_variables(
    variables: Sequence[Variable], path: Iterable[ElementInstance], element_instance_key: int
) -> dict[str, Any]:
    """The variables visible at the task: from the process down to the task's own local
    ones, an inner scope's variable hiding an outer one of the same name."""
    chain = scope_chain(path, element_instance_key)
    depth = {key: i for i, key in enumerate(chain)}
    visible: dict[str, tuple[int, Any]] = {}
    for v in variables:
        level = depth.get(v.scope_key)
        if level is None:
            continue
        if v.name not in visible or level < visible[v.name][0]:
            try:
                value = json.loads(v.value)
            except ValueError:
                value = v.value
            visible[v.name] = (level, value)
    return {name: value for name, (_, value) in sorted(visible.items())}
