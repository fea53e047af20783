"""The task page's form source without a browser: embedded Camunda forms read from the
process XML, bad forms named, and the variables a task's form starts from."""

from __future__ import annotations

import json

import pytest

from clients.web.task_forms import (
    FormError,
    embedded_form,
    embedded_form_id,
    parse_form,
    task_variables,
)
from processors.exporter.views import ElementInstance, Variable

FORM = {"components": [{"type": "textfield", "key": "name", "label": "Name"}], "type": "default"}
PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="userTaskForm_1">{json.dumps(FORM)}</zeebe:userTaskForm>
      <zeebe:userTaskForm id="broken">{{"title": "no components"}}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:userTask id="check" />
  </bpmn:process>
</bpmn:definitions>"""


def test_an_embedded_form_is_read_from_the_process() -> None:
    form_id = embedded_form_id("camunda-forms:bpmn:userTaskForm_1")
    assert form_id == "userTaskForm_1"
    assert embedded_form(PROCESS, "review", form_id) == FORM
    assert embedded_form_id("my-custom-form") is None
    assert embedded_form_id("camunda-forms:bpmn:") is None


def test_a_missing_or_bad_form_is_named() -> None:
    with pytest.raises(FormError, match=r"review.bpmn has no zeebe:userTaskForm with id 'nope'"):
        embedded_form(PROCESS, "review", "nope")
    with pytest.raises(FormError, match=r"form 'broken' of review.bpmn is not a Camunda form"):
        embedded_form(PROCESS, "review", "broken")
    with pytest.raises(FormError, match=r"invoice.form is not JSON"):
        parse_form("{components: []}", "invoice.form")
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x/>'
    with pytest.raises(FormError, match="DOCTYPE"):
        embedded_form(doctype, "review", "userTaskForm_1")


def _element(key: int, scope: int, element_id: str) -> ElementInstance:
    return ElementInstance(key, element_id, "X", "ACTIVE", scope, 0, None)


def test_the_form_starts_from_the_variables_the_task_sees_innermost_first() -> None:
    path = [
        _element(1, -1, "review"),
        _element(2, 1, "sub"),
        _element(3, 2, "check"),
        _element(4, 1, "elsewhere"),
    ]
    variables = [
        Variable(1, "amount", "100", 0),
        Variable(1, "customer", '{"name": "Ada"}', 0),
        Variable(2, "amount", "250", 0),
        Variable(3, "note", '"local"', 0),
        Variable(4, "hidden", "true", 0),
        Variable(99, "other", "1", 0),
    ]
    assert task_variables(variables, path, 3) == {
        "amount": 250,
        "customer": {"name": "Ada"},
        "note": "local",
    }
