"""The rules over the resources deployed together, beyond each file's own: process ids are
unique within a deployment, a call activity with binding type `deployment` and a static
process id calls a process of the same deployment (a business rule task likewise a decision
of the deployment's DMN files), and the expression of a timer start event
gives a timer value with no variables at all (Zeebe evaluates it at deployment).

`honeyflow validate` applies them to the files it is given, `bpmn.validate` to its one file and
the engine's DEPLOYMENT CREATE to its resources, so that what validation accepts is what
deployment accepts. Messages are Zeebe's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from contextlib import nullcontext

from bpmn.errors import Problem
from bpmn.feel import CompiledExpression, FeelError, to_json_value
from bpmn.feel.builtins.clock import use_clock
from bpmn.model import Definitions, ExecutableProcess, FlowNode
from bpmn.model_types import BpmnEventType
from bpmn.timers import TimerValueError, feel_timer_value

Resources = Sequence[tuple[str, Definitions]]


def deployment_problems(
    resources: Resources,
    now: dt.datetime | None = None,
    decision_ids: Collection[str] = (),
) -> list[Problem]:
    """The problems of deploying these (resource name, definitions) together, in order; timer
    start expressions see `now` as now() (the real clock when None); `decision_ids` are those
    of the DMN files deployed with them."""
    return [
        *duplicate_process_ids(resources),
        *unbound_calls(resources),
        *unbound_decisions(resources, decision_ids),
        *start_timer_problems(resources, now),
    ]


def duplicate_process_ids(resources: Resources) -> list[Problem]:
    problems: list[Problem] = []
    first_resource: dict[str, str] = {}
    for resource_name, definitions in resources:
        for process in definitions.processes:
            process_id = process.bpmn_process_id
            first = first_resource.get(process_id)
            if first is None:
                first_resource[process_id] = resource_name
                continue
            problems.append(
                Problem(
                    resource_name,
                    process_id,
                    f"process '{process_id}'",
                    process.line,
                    "Expected the process ids to be unique within a deployment but found a"
                    f" duplicated process id '{process_id}' in the resources '{first}' and"
                    f" '{resource_name}'.",
                )
            )
    return problems


def unbound_calls(resources: Resources) -> list[Problem]:
    problems: list[Problem] = []
    deployed = {p.bpmn_process_id for _, d in resources for p in d.processes}
    for resource_name, definitions in resources:
        for process in definitions.processes:
            for node in process.elements.values():
                called = node.called_element
                if (
                    called is not None
                    and called.binding_type == "deployment"
                    and called.process_id.is_static
                    and called.process_id.static_value not in deployed
                ):
                    problems.append(
                        Problem(
                            resource_name,
                            node.id,
                            f"{node.element_path} > extensionElements > calledElement",
                            node.line,
                            "Expected to find process with id"
                            f" '{called.process_id.static_value}' in current deployment, but"
                            " not found.",
                        )
                    )
    return problems


def unbound_decisions(resources: Resources, decision_ids: Collection[str]) -> list[Problem]:
    """A business rule task with binding type `deployment` and a static decision id evaluates
    a decision of the same deployment (Zeebe's message)."""
    problems: list[Problem] = []
    for resource_name, definitions in resources:
        for process in definitions.processes:
            for node in process.elements.values():
                called = node.called_decision
                if (
                    called is not None
                    and called.binding_type == "deployment"
                    and called.decision_id.is_static
                    and called.decision_id.static_value not in decision_ids
                ):
                    problems.append(
                        Problem(
                            resource_name,
                            node.id,
                            f"{node.element_path} > extensionElements > calledDecision",
                            node.line,
                            "Expected to find decision with id"
                            f" '{called.decision_id.static_value}' in current deployment, but"
                            " not found.",
                        )
                    )
    return problems


def start_timer_problems(resources: Resources, now: dt.datetime | None = None) -> list[Problem]:
    """A timer start event's expression is evaluated when deployed, with no variables: one that
    fails, or gives no timer value, refuses the deployment (messages as the engine's)."""
    problems: list[Problem] = []
    with use_clock(now) if now is not None else nullcontext():
        for resource_name, definitions in resources:
            for process in definitions.processes:
                for node, problem in _start_timer_problems(process):
                    problems.append(
                        Problem(
                            resource_name,
                            node.id,
                            f"{node.element_path} > timerEventDefinition",
                            node.line,
                            problem,
                        )
                    )
    return problems


def _start_timer_problems(process: ExecutableProcess) -> Iterator[tuple[FlowNode, str]]:
    for element_id in process.start_event_ids:
        node = process.elements[element_id]
        timer = node.timer
        if node.event_type is not BpmnEventType.TIMER or timer is None:
            continue
        compiled = timer.expression.compiled
        if timer.static_value is not None or not isinstance(compiled, CompiledExpression):
            continue  # a static value is checked with its file
        problem = _timer_problem(timer.kind.value, compiled, timer.expression.feel_text)
        if problem is not None:
            yield node, problem


def _timer_problem(kind: str, compiled: CompiledExpression, source: str) -> str | None:
    try:
        result = compiled.evaluate_with_warnings({})
        if result.value is None:
            for warning in result.warnings:
                if warning.kind == "NO_VARIABLE_FOUND":
                    return f"Failed to evaluate expression '{source}': {warning.message}"
        feel_timer_value(kind, to_json_value(result.value), source)
    except FeelError as error:
        return f"Failed to evaluate expression '{source}': {error}"
    except TimerValueError as error:
        return str(error)
    return None
