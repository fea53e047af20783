"""Running DMN TCK test cases against `bpmn.dmn`: what the FEEL runner (feel_tck.py) and the
DMN runner (dmn_tck.py) share. A folder holds one or more `.dmn` models and `*-test-*.xml`
files of test cases; each case gives input values and expected results per decision (or
invokes a decision service). Models are read leniently (`bpmn.dmn.read_dmn`): a piece that
does not compile fails the cases that evaluate it, not the whole folder.

Results are compared by type and value: numbers by value (agreeing to 28 significant digits,
since FEEL computes with 34), temporal values with FEEL equality, lists and contexts element
by element. An evaluation failure counts as a null result, as the TCK's `errorResult="true"`
expects null.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from bpmn.dmn import model as m
from bpmn.dmn.evaluation import DecisionEvaluator
from bpmn.dmn.expression_reader import child, children
from bpmn.dmn.reader import read_dmn
from bpmn.dmn.types import Typing
from bpmn.errors import BpmnError
from bpmn.feel import FeelError
from bpmn.feel.operators import equals

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HONEYFLOW_SHARED", REPO.parent / "shared"))
DEFAULT_TCK = SHARED / "conformance" / "dmn-tck"
CAMUNDA_RESULTS = "camunda-dmn-scala-1.9.0-results.csv"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


# ---------------------------------------------------------------------- typed values


def _temporal() -> Any:
    from bpmn.feel import temporal

    return temporal


def parse_value(element: etree._Element) -> Any:
    """A TCK value element (value, list, components) as a FEEL value."""
    value = child(element, "value")
    if value is not None:
        return parse_scalar(value)
    items = child(element, "list")
    if items is not None:
        return [parse_value(item) for item in children(items, "item")]
    components = list(children(element, "component"))
    if components:
        return {c.get("name", ""): parse_value(c) for c in components}
    return None


def parse_scalar(value: etree._Element) -> Any:
    if value.get(XSI_NIL) == "true":
        return None
    kind = value.get(XSI_TYPE, "")
    kind = kind.split(":")[-1]
    text = value.text or ""
    if kind in ("decimal", "double", "integer", "int", "long", "float"):
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            return text
    if kind == "boolean":
        return text.strip() == "true"
    if kind == "date":
        return _temporal().parse_date(text.strip())
    if kind == "dateTime":
        return _temporal().parse_date_time(text.strip())
    if kind == "time":
        return _temporal().parse_time(text.strip())
    if kind == "duration":
        return _temporal().parse_duration(text.strip())
    if len(value):  # nested list or components inside <value>
        return parse_value(value)
    return text


def same(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, Decimal):
        if not isinstance(actual, Decimal) or isinstance(actual, bool):
            return False
        if expected == actual:
            return True
        scale = max(abs(expected), abs(actual))
        if abs(expected - actual) <= scale * Decimal("1e-28"):
            return True
        # the TCK's expected values of up to 17 significant digits were computed with doubles
        # (`562.707359373292` for the exact 562.70735937326592...): 12 digits must agree
        if len(expected.as_tuple().digits) <= 17 and abs(expected - actual) <= scale * Decimal(
            "1e-12"
        ):
            return True
        # an expected value written with many decimals is the exact result rounded to them
        exponent = expected.as_tuple().exponent
        if isinstance(exponent, int) and exponent <= -8:
            quantum = Decimal(1).scaleb(exponent)
            return any(
                actual.quantize(quantum, rounding=mode) == expected
                for mode in (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN)
            )
        return False
    if isinstance(expected, str):
        return isinstance(actual, str) and expected == actual
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(same(expected[key], actual[key]) for key in expected)
        )
    return equals(expected, actual) is True


def show(value: Any) -> str:
    try:
        from bpmn.feel.formatting import format_value

        text = str(format_value(value))
    except Exception:
        text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


# ---------------------------------------------------------------------- running


@dataclass
class CaseResult:
    folder: str
    case_id: str
    passed: bool
    reason: str = ""
    camunda: bool = False  # Camunda's engine passes this case (the results sheet)


def camunda_statuses(tck: Path) -> dict[tuple[str, str], str]:
    """(folder name, case id) → SUCCESS / IGNORED / ... from Camunda's results sheet."""
    path = tck / CAMUNDA_RESULTS
    result: dict[tuple[str, str], str] = {}
    if not path.exists():
        return result
    with path.open(newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 4:
                result[(row[0].split("/")[-1], row[2])] = row[3]
    return result


def camunda_successes(tck: Path) -> set[tuple[str, str]]:
    return {key for key, status in camunda_statuses(tck).items() if status == "SUCCESS"}


def run_folder(
    folder: Path, camunda: set[tuple[str, str]], typing: Typing = "dmn"
) -> list[CaseResult]:
    """Every case of a folder, evaluated with DMN's type rules (the TCK's) unless told."""
    results: list[CaseResult] = []
    graphs: dict[str, m.DecisionRequirementsGraph | str] = {}
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = etree.parse(str(test_file), _PARSER).getroot()
        model_element = child(root, "modelName")
        model_name = (model_element.text or "").strip() if model_element is not None else ""
        if not model_name:
            model_name = next((p.name for p in sorted(folder.glob("*.dmn"))), "")
        if model_name not in graphs:
            graphs[model_name] = _load(folder / model_name)
        graph = graphs[model_name]
        for case in children(root, "testCase"):
            case_id = case.get("id", "")
            in_camunda = (folder.name, case_id) in camunda
            if isinstance(graph, str):
                results.append(CaseResult(folder.name, case_id, False, graph, in_camunda))
            else:
                results.append(run_case(graph, folder.name, case, in_camunda, typing))
    return results


def _load(path: Path) -> m.DecisionRequirementsGraph | str:
    try:
        graph, _problems = read_dmn(path.read_bytes(), path.name)
    except (OSError, BpmnError) as error:
        return f"model not read: {error}"
    return graph


def run_case(
    graph: m.DecisionRequirementsGraph,
    folder: str,
    case: etree._Element,
    in_camunda: bool,
    typing: Typing = "dmn",
) -> CaseResult:
    case_id = case.get("id", "")

    def result(passed: bool, reason: str = "") -> CaseResult:
        return CaseResult(folder, case_id, passed, reason, in_camunda)

    try:
        inputs = {node.get("name", ""): parse_value(node) for node in children(case, "inputNode")}
    except (ValueError, ArithmeticError) as error:
        return result(False, f"bad input value: {error}")
    evaluator = DecisionEvaluator(graph, inputs, typing)
    invoked = case.get("invocableName")
    service_results: dict[str, Any] | None = None
    if invoked or case.get("type") == "decisionService":
        service = next((s for s in graph.services.values() if s.name == invoked), None)
        if service is None:
            return result(False, f"no decision service named '{invoked}'")
        service_results = _invoke_service(evaluator, service, inputs)
    for node in children(case, "resultNode"):
        name = node.get("name", "")
        expected_element = child(node, "expected")
        try:
            expected = parse_value(expected_element) if expected_element is not None else None
        except (ValueError, ArithmeticError) as error:
            return result(False, f"bad expected value: {error}")
        if node.get("errorResult") == "true":
            expected = None
        decision = graph.decision_named(name)
        if decision is None:
            return result(False, f"no decision named '{name}'")
        try:
            if service_results is not None:
                actual = service_results.get(name)
            else:
                actual = evaluator.decision(decision.id)
        except FeelError as error:
            actual = None
            if expected is not None:
                return result(False, f"{name}: {error}")
        except Exception as error:  # a crash is a failed case, never a crashed run
            return result(False, f"{name}: crash {type(error).__name__}: {error}")
        if not same(expected, actual):
            text = expression_text(decision)
            return result(
                False, f"{name} `{text}`: expected {show(expected)} but got {show(actual)}"
            )
    return result(True)


def _invoke_service(
    evaluator: DecisionEvaluator, service: m.DecisionService, inputs: dict[str, Any]
) -> dict[str, Any]:
    """A decision service invoked directly: its output decisions' values by name (all null
    when it fails or its result does not conform to its type)."""
    graph = evaluator.graph
    names = [graph.decision_models[d].name for d in service.output_decisions]
    try:
        value = evaluator.service(service.id, inputs)
    except FeelError:
        value = None
    if len(names) == 1:
        return {names[0]: value}
    return {name: value.get(name) if isinstance(value, dict) else None for name in names}


def expression_text(decision: m.Decision) -> str:
    logic = decision.logic
    if isinstance(logic, m.Literal):
        source = " ".join(logic.text.split())
        return source if len(source) <= 100 else source[:97] + "..."
    return f"<{type(logic).__name__ if logic is not None else 'no logic'}>"


def by_folder(results: Sequence[CaseResult]) -> dict[str, list[CaseResult]]:
    grouped: dict[str, list[CaseResult]] = {}
    for item in results:
        grouped.setdefault(item.folder, []).append(item)
    return grouped


def passed_of(results: Sequence[CaseResult]) -> str:
    return f"{sum(r.passed for r in results)}/{len(results)}"


__all__ = [
    "DEFAULT_TCK",
    "CaseResult",
    "by_folder",
    "camunda_statuses",
    "camunda_successes",
    "parse_value",
    "run_folder",
    "same",
    "show",
]
