"""DMN TCK FEEL conformance runner: `python -m tests.conformance.feel_tck [--write-report PATH]`.

Runs every `compliance-level-3/*-feel-*` folder of the DMN TCK (../shared/conformance/dmn-tck
beside the repository, or --tck DIR): each decision is a FEEL literal expression, or a boxed
context / list / invocation / function definition around literal expressions; decisions may
require input data, other decisions and business knowledge models (evaluated as FEEL
functions). Results are compared by type and value: numbers by value (agreeing to 28
significant digits, since FEEL computes with 34), temporal values with FEEL equality, lists
and contexts element by element. An evaluation failure counts as a null result, as the TCK's
`errorResult="true"` expects null.

The "camunda subset" are the test cases Camunda's FEEL engine passes
(`camunda-dmn-scala-1.9.0-results.csv`). The last line printed is
`feel-tck: camunda-subset X/Y, all A/B`.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from bpmn.feel import FeelError, FeelFunction, compile_expression
from bpmn.feel.operators import equals
from bpmn.feel.values import feel_type_name

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TCK = REPO.parent / "shared" / "conformance" / "dmn-tck"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, name: str | None = None) -> Iterator[etree._Element]:
    for child in element:
        if isinstance(child.tag, str) and (name is None or local(child) == name):
            yield child


def child(element: etree._Element, name: str) -> etree._Element | None:
    return next(children(element, name), None)


# ---------------------------------------------------------------------- the model


class Unsupported(Exception):
    """A construct that is not FEEL (e.g. an external Java function): the case is skipped."""


_EXPRESSION_KINDS = (
    "literalExpression",
    "context",
    "list",
    "invocation",
    "functionDefinition",
    "relation",
)


@dataclass(frozen=True)
class ItemDefinition:
    """A DMN type: a base type, a collection of one, or a structure of components."""

    type_ref: str | None
    collection: bool
    components: tuple[tuple[str, ItemDefinition], ...]

    @classmethod
    def parse(cls, element: etree._Element) -> ItemDefinition:
        type_ref = child(element, "typeRef")
        function = child(element, "functionItem")
        return cls(
            "function"
            if function is not None
            else (type_ref.text or "").strip() or None
            if type_ref is not None
            else None,
            element.get("isCollection") == "true",
            tuple((c.get("name", ""), cls.parse(c)) for c in children(element, "itemComponent")),
        )


_BUILTIN_TYPES = {
    "number": "number",
    "string": "string",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "dateTime": "date and time",
    "date and time": "date and time",
    "dayTimeDuration": "days and time duration",
    "days and time duration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "years and months duration": "years and months duration",
    "context": "context",
    "list": "list",
    "function": "function",
}


@dataclass
class Model:
    decisions: dict[str, etree._Element] = field(default_factory=dict)  # by name
    ids: dict[str, str] = field(default_factory=dict)  # element id -> name
    bkms: dict[str, etree._Element] = field(default_factory=dict)
    inputs: set[str] = field(default_factory=set)
    types: dict[str, ItemDefinition] = field(default_factory=dict)

    # DMN type conformance (DMN 1.4, 10.3.2.9.4): a value that does not conform to the
    # declared type becomes null; a singleton list and its element convert into each other.
    def conforms(self, value: Any, type_ref: str | None) -> bool:
        if value is None or not type_ref or type_ref == "Any":
            return True
        type_ref = type_ref.split(":")[-1]
        definition = self.types.get(type_ref)
        if definition is not None:
            return self._conforms_to_definition(value, definition)
        expected = _BUILTIN_TYPES.get(type_ref)
        if expected is None:
            return True  # a type this runner does not know: no coercion
        if expected == "function":
            return callable(value)
        return bool(feel_type_name(value) == expected)

    def _conforms_to_definition(self, value: Any, definition: ItemDefinition) -> bool:
        if definition.collection:
            element = ItemDefinition(definition.type_ref, False, definition.components)
            return isinstance(value, list) and all(
                self._conforms_to_definition(item, element) for item in value
            )
        if definition.components:
            return isinstance(value, dict) and all(
                name in value and self._conforms_to_definition(value[name], component)
                for name, component in definition.components
            )
        return self.conforms(value, definition.type_ref)

    def _is_collection(self, type_ref: str) -> bool:
        definition = self.types.get(type_ref.split(":")[-1])
        return type_ref == "list" or (definition is not None and definition.collection)

    def coerce(self, value: Any, type_ref: str | None) -> Any:
        if self.conforms(value, type_ref):
            return value
        assert type_ref is not None
        if self._is_collection(type_ref) and not isinstance(value, list):
            return [value] if self.conforms([value], type_ref) else None
        if isinstance(value, list) and len(value) == 1 and self.conforms(value[0], type_ref):
            return value[0]
        return None

    @classmethod
    def load(cls, path: Path) -> Model:
        root = etree.parse(str(path), _PARSER).getroot()
        model = cls()
        for element in children(root):
            kind = local(element)
            name = element.get("name", "")
            if element.get("id"):
                model.ids[element.get("id", "")] = name
            if kind == "decision":
                model.decisions[name] = element
            elif kind == "businessKnowledgeModel":
                model.bkms[name] = element
            elif kind == "inputData":
                model.inputs.add(name)
            elif kind == "itemDefinition":
                model.types[name] = ItemDefinition.parse(element)
        return model

    def expression_of(self, element: etree._Element) -> etree._Element | None:
        for kind in _EXPRESSION_KINDS:
            found = child(element, kind)
            if found is not None:
                return found
        return None

    def evaluate_decision(self, name: str, inputs: Mapping[str, Any], memo: dict[str, Any]) -> Any:
        if name in memo:
            return memo[name]
        decision = self.decisions.get(name)
        if decision is None:
            raise Unsupported(f"no decision named '{name}'")
        scope: dict[str, Any] = dict(inputs)
        for bkm_name in self.bkms:
            scope[bkm_name] = self.bkm_function(bkm_name)
        for requirement in children(decision, "informationRequirement"):
            required = child(requirement, "requiredDecision")
            if required is not None:
                required_name = self.ids.get(required.get("href", "").lstrip("#"), "")
                scope[required_name] = self.evaluate_decision(required_name, inputs, memo)
        expression = self.expression_of(decision)
        if expression is None:
            raise Unsupported(f"decision '{name}' has no expression")
        value = self.evaluate(expression, scope)
        variable = child(decision, "variable")
        if variable is not None:
            value = self.coerce(value, variable.get("typeRef"))
        memo[name] = value
        return value

    def bkm_function(self, name: str) -> Any:
        logic = child(self.bkms[name], "encapsulatedLogic")
        if logic is None:
            raise Unsupported(f"business knowledge model '{name}' has no logic")
        variable = child(self.bkms[name], "variable")
        return self.function(logic, {}, variable.get("typeRef") if variable is not None else None)

    def function(
        self, definition: etree._Element, scope: Mapping[str, Any], result_type: str | None = None
    ) -> FeelFunction:
        if definition.get("kind", "FEEL") != "FEEL":
            raise Unsupported(f"{definition.get('kind')} functions are not FEEL")
        formal = list(children(definition, "formalParameter"))
        params = tuple(p.get("name", "") for p in formal)
        param_types = tuple(p.get("typeRef") for p in formal)
        body = self.expression_of(definition)
        if body is None:
            raise Unsupported("function definition without a body")

        def invoke(args: Sequence[Any]) -> Any:
            inner = dict(scope)
            for bkm_name in self.bkms:
                inner.setdefault(bkm_name, self.bkm_function(bkm_name))
            for param, param_type, arg in zip(params, param_types, args, strict=False):
                inner[param] = self.coerce(arg, param_type)
                if arg is not None and inner[param] is None:
                    return None  # an argument of the wrong type: the invocation is null
            return self.coerce(self.evaluate(body, inner), result_type)

        return FeelFunction(params, invoke)

    def evaluate(self, expression: etree._Element, scope: Mapping[str, Any]) -> Any:
        return self.coerce(self._evaluate(expression, scope), expression.get("typeRef"))

    def _evaluate(self, expression: etree._Element, scope: Mapping[str, Any]) -> Any:
        kind = local(expression)
        if kind == "literalExpression":
            text = child(expression, "text")
            source = (text.text or "") if text is not None else ""
            return compile_expression(source.strip()).evaluate(scope)
        if kind == "context":
            result: dict[str, Any] = {}
            inner = dict(scope)
            final: Any = None
            has_final = False
            for entry in children(expression, "contextEntry"):
                variable = child(entry, "variable")
                value_element = self.expression_of(entry)
                value = self.evaluate(value_element, inner) if value_element is not None else None
                if variable is None:
                    final, has_final = value, True
                else:
                    result[variable.get("name", "")] = value
                    inner[variable.get("name", "")] = value
            return final if has_final else result
        if kind == "list":
            return [
                self.evaluate(item, scope)
                for item in children(expression)
                if local(item) in _EXPRESSION_KINDS
            ]
        if kind == "functionDefinition":
            return self.function(expression, scope)
        if kind == "invocation":
            callee_element = self.expression_of(expression)
            if callee_element is None:
                raise Unsupported("invocation without a function")
            callee = self.evaluate(callee_element, scope)
            bindings: dict[str, Any] = {}
            for binding in children(expression, "binding"):
                parameter = child(binding, "parameter")
                value_element = self.expression_of(binding)
                bindings[parameter.get("name", "") if parameter is not None else ""] = (
                    self.evaluate(value_element, scope) if value_element is not None else None
                )
            if not isinstance(callee, FeelFunction):
                return None
            return callee.invoke([bindings.get(param) for param in callee.params])
        if kind == "relation":
            columns = [c.get("name", "") for c in children(expression, "column")]
            rows = []
            for row in children(expression, "row"):
                cells = [
                    self.evaluate(c, scope) for c in children(row) if local(c) in _EXPRESSION_KINDS
                ]
                rows.append(dict(zip(columns, cells, strict=False)))
            return rows
        raise Unsupported(f"{kind} expressions")


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
    if element.get(XSI_NIL) == "true":
        return None
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
    camunda: bool = False


def camunda_successes(tck: Path) -> set[tuple[str, str]]:
    path = tck / "camunda-dmn-scala-1.9.0-results.csv"
    result: set[tuple[str, str]] = set()
    if not path.exists():
        return result
    with path.open(newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 4 and row[3] == "SUCCESS":
                result.add((row[0].split("/")[-1], row[2]))
    return result


def run_folder(folder: Path, camunda: set[tuple[str, str]]) -> list[CaseResult]:
    results: list[CaseResult] = []
    dmn_files = sorted(folder.glob("*.dmn"))
    if not dmn_files:
        return results
    model = Model.load(dmn_files[0])
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = etree.parse(str(test_file), _PARSER).getroot()
        for case in children(root, "testCase"):
            case_id = case.get("id", "")
            results.append(run_case(model, folder.name, case, (folder.name, case_id) in camunda))
    return results


def run_case(model: Model, folder: str, case: etree._Element, in_camunda: bool) -> CaseResult:
    case_id = case.get("id", "")
    if case.get("invocableName") or case.get("type") == "decisionService":
        return CaseResult(folder, case_id, False, "skipped: decision service", in_camunda)
    try:
        inputs = {node.get("name", ""): parse_value(node) for node in children(case, "inputNode")}
    except (ValueError, ArithmeticError) as error:
        return CaseResult(folder, case_id, False, f"bad input value: {error}", in_camunda)
    memo: dict[str, Any] = {}
    for node in children(case, "resultNode"):
        name = node.get("name", "")
        expected_element = child(node, "expected")
        try:
            expected = parse_value(expected_element) if expected_element is not None else None
        except (ValueError, ArithmeticError) as error:
            return CaseResult(folder, case_id, False, f"bad expected value: {error}", in_camunda)
        if node.get("errorResult") == "true":
            expected = None
        try:
            actual = model.evaluate_decision(name, inputs, memo)
        except Unsupported as error:
            return CaseResult(folder, case_id, False, f"skipped: {error}", in_camunda)
        except FeelError as error:
            actual = None
            if expected is not None:
                return CaseResult(
                    folder, case_id, False, f"{name}: {type(error).__name__}: {error}", in_camunda
                )
        except Exception as error:  # a crash is a failed case, never a crashed run
            return CaseResult(
                folder, case_id, False, f"{name}: crash {type(error).__name__}: {error}", in_camunda
            )
        if not same(expected, actual):
            text = _expression_text(model, name)
            return CaseResult(
                folder,
                case_id,
                False,
                f"{name} `{text}`: expected {show(expected)} but got {show(actual)}",
                in_camunda,
            )
    return CaseResult(folder, case_id, True, "", in_camunda)


def _expression_text(model: Model, name: str) -> str:
    decision = model.decisions.get(name)
    if decision is None:
        return "?"
    expression = model.expression_of(decision)
    if expression is not None and local(expression) == "literalExpression":
        text = child(expression, "text")
        source = " ".join(((text.text or "") if text is not None else "").split())
        return source if len(source) <= 100 else source[:97] + "..."
    return f"<{local(expression) if expression is not None else '?'}>"


def run(tck: Path) -> list[CaseResult]:
    camunda = camunda_successes(tck)
    results: list[CaseResult] = []
    for folder in sorted((tck / "compliance-level-3").glob("*-feel-*")):
        if folder.is_dir():
            results.extend(run_folder(folder, camunda))
    return results


@dataclass(frozen=True)
class Summary:
    camunda_passed: int
    camunda_total: int
    passed: int
    total: int

    def line(self) -> str:
        return (
            f"feel-tck: camunda-subset {self.camunda_passed}/{self.camunda_total}, "
            f"all {self.passed}/{self.total}"
        )


def summarize(results: Sequence[CaseResult]) -> Summary:
    camunda = [r for r in results if r.camunda]
    return Summary(
        sum(r.passed for r in camunda),
        len(camunda),
        sum(r.passed for r in results),
        len(results),
    )


def write_report(path: Path, results: Sequence[CaseResult], summary: Summary) -> None:
    lines = [
        "# FEEL conformance (DMN TCK)",
        "",
        "Generated by `make conformance` (`python -m tests.conformance.feel_tck",
        "--write-report docs/feel-conformance.md`). Do not edit by hand.",
        "",
        f"`{summary.line()}`",
        "",
        "The *camunda subset* are the test cases that Camunda's FEEL engine passes according to",
        "the TCK's published results (`camunda-dmn-scala-1.9.0-results.csv`).",
        "",
        "## Per folder",
        "",
        "| folder | passed | camunda subset |",
        "| --- | --- | --- |",
    ]
    for folder, items in _by_folder(results).items():
        camunda = [r for r in items if r.camunda]
        lines.append(
            f"| {folder} | {sum(r.passed for r in items)}/{len(items)} "
            f"| {sum(r.passed for r in camunda)}/{len(camunda)} |"
        )
    lines += ["", "## Failing cases", ""]
    failing = [r for r in results if not r.passed]
    if not failing:
        lines.append("None.")
    else:
        lines += ["| folder | case | camunda passes it | reason |", "| --- | --- | --- | --- |"]
        for r in failing:
            reason = r.reason.replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {r.folder} | {r.case_id} | {'yes' if r.camunda else 'no'} | {reason} |"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _by_folder(results: Sequence[CaseResult]) -> dict[str, list[CaseResult]]:
    grouped: dict[str, list[CaseResult]] = {}
    for result in results:
        grouped.setdefault(result.folder, []).append(result)
    return grouped


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--tck", type=Path, default=Path(os.environ.get("FEEL_TCK_DIR", DEFAULT_TCK))
    )
    parser.add_argument("--write-report", type=Path, metavar="PATH")
    parser.add_argument("--failures", action="store_true", help="list every failing case")
    parser.add_argument("--folder", help="run only folders whose name contains this text")
    args = parser.parse_args(argv)
    if not (args.tck / "compliance-level-3").is_dir():
        out(f"feel-tck: no TCK at {args.tck}")
        return 2
    results = run(args.tck)
    if args.folder:
        results = [r for r in results if args.folder in r.folder]
    for folder, items in _by_folder(results).items():
        camunda = [r for r in items if r.camunda]
        out(
            f"{folder:48} {sum(r.passed for r in items):4}/{len(items):<4} "
            f"camunda {sum(r.passed for r in camunda):4}/{len(camunda)}"
        )
    if args.failures:
        for r in results:
            if not r.passed:
                out(f"FAIL {r.folder} {r.case_id}{' [camunda]' if r.camunda else ''}: {r.reason}")
    summary = summarize(results)
    if args.write_report:
        write_report(args.write_report, results, summary)
    out(summary.line())
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
