"""Evaluating decisions: required decisions first (each once), business knowledge models and
decision services as FEEL functions, every boxed expression in our FEEL, DMN type coercion
of results. `evaluate_decision` never raises: a failure is part of its result.
"""

from __future__ import annotations

import datetime as dt
from collections import ChainMap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from bpmn.dmn import model as m
from bpmn.dmn.decision_table import TableResult, evaluate_table
from bpmn.dmn.results import (
    DecisionEvaluation,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    EvaluationFailure,
    MatchedRule,
)
from bpmn.dmn.types import TypeSystem, Typing, camunda_type_mismatch
from bpmn.feel import FeelError, FeelEvaluationError, FeelFunction, to_feel_value, to_json_value
from bpmn.feel.builtins.clock import use_clock
from bpmn.feel.named_types import use_named_types

_DECISION_TYPES: dict[type, str] = {
    m.DecisionTable: "DECISION_TABLE",
    m.Literal: "LITERAL_EXPRESSION",
    m.Context: "CONTEXT",
    m.Relation: "RELATION",
    m.ListExpression: "LIST",
    m.Invocation: "INVOCATION",
}


class DecisionFailure(FeelEvaluationError):
    """A decision could not be evaluated; `decision_id` names it (the innermost one)."""

    def __init__(self, decision_id: str, message: str) -> None:
        super().__init__(message)
        self.decision_id = decision_id


def decision_type(logic: m.Expression | None) -> str:
    return _DECISION_TYPES.get(type(logic), "UNKNOWN")


class DecisionEvaluator:
    """One evaluation of a graph against the caller's variables (FEEL values or JSON ones).

    `decision(id)` returns a decision's FEEL value, raising DecisionFailure; `audit` lists
    the decisions evaluated so far, in order, with their table inputs and matched rules."""

    def __init__(
        self,
        graph: m.DecisionRequirementsGraph,
        variables: Mapping[str, Any],
        typing: Typing = "camunda",
    ) -> None:
        self.graph = graph
        self.typing: Typing = typing
        self.types = TypeSystem(graph.item_definitions)
        # DMN's rules turn a value of the wrong type into null wherever a type is declared;
        # Camunda's engine declares nothing on inputs, outputs and entries, and fails where
        # a decision's result or a function's argument is not of its FEEL base type
        self.coerce = self.types.coerce if typing == "dmn" else _unchanged
        self.variables = self._typed_inputs(variables) if typing == "dmn" else variables
        self.results: dict[str, Any] = {}
        self.audit: list[tuple[m.Decision, Any, TableResult | None]] = []
        self._knowledge = self._knowledge_functions()
        self.current: str = ""  # the decision being evaluated

    def _typed_inputs(self, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        typed: dict[str, Any] = {}
        for data in self.graph.input_data.values():
            if data.type_ref and data.name in variables:
                # the caller's JSON values (an int) become FEEL values (a Decimal) to be typed
                value = to_feel_value(variables[data.name])
                typed[data.name] = self.types.coerce(value, data.type_ref)
        return ChainMap(typed, variables) if typed else variables  # type: ignore[arg-type]

    def _knowledge_functions(self) -> dict[str, Any]:
        # every BKM and decision service of the graph is in scope by name (the TCK's models
        # call some without declaring the knowledge requirement)
        functions: dict[str, Any] = {}
        for bkm in self.graph.knowledge_models.values():
            functions[bkm.name] = self._bkm_function(bkm)
        for service in self.graph.services.values():
            functions[service.name] = self._service_function(service)
        return functions

    # ------------------------------------------------------------------ decisions

    def decision(self, decision_id: str) -> Any:
        if decision_id in self.results:
            return self.results[decision_id]
        decision = self.graph.decision_models.get(decision_id)
        if decision is None:
            raise DecisionFailure(decision_id, f"no decision with id '{decision_id}'")
        scope: dict[str, Any] = dict(self._knowledge)
        for required in decision.required_decisions:
            required_decision = self.graph.decision_models.get(required)
            if required_decision is None:
                raise DecisionFailure(
                    decision.id, f"the required decision '{required}' is not in the graph"
                )
            value = self.decision(required)
            # DMN names the result by the decision's name; Camunda's engine by its variable's
            # name, else its id (a decision table of Camunda Modeler has no variable)
            for name in _result_names(required_decision):
                scope[name] = value
        previous, self.current = self.current, decision.id
        try:
            with use_named_types(self.types.instance_of):
                value, table = self._logic(decision, ChainMap(scope, self.variables))  # type: ignore[arg-type]
        except DecisionFailure:
            raise
        except FeelError as error:
            raise DecisionFailure(decision.id, _describe(error)) from None
        self.current = previous  # after a failure it names the decision that failed
        if self.typing == "dmn":
            value = self.types.coerce(value, decision.type_ref)
        else:
            problem = camunda_type_mismatch(value, decision.type_ref)
            if problem is not None:
                self.current = decision.id
                raise DecisionFailure(decision.id, problem)
        self.results[decision_id] = value
        self.audit.append((decision, value, table))
        return value

    def _logic(
        self, decision: m.Decision, scope: Mapping[str, Any]
    ) -> tuple[Any, TableResult | None]:
        logic = decision.logic
        if logic is None:
            return None, None  # a decision without logic (DMN allows it) decides null
        if isinstance(logic, m.DecisionTable):
            result = evaluate_table(logic, scope, self.expression, self.coerce)
            return self.coerce(result.value, logic.type_ref), result
        return self.expression(logic, scope), None

    def service(self, service_id: str, variables: Mapping[str, Any]) -> Any:
        """Invoke a decision service with its inputs (input decisions and input data by name)."""
        service = self.graph.services[service_id]
        inner = self.for_service(service_id, variables)
        values = {
            self.graph.decision_models[d].name: inner.decision(d)
            for d in service.output_decisions
            if d in self.graph.decision_models
        }
        result = next(iter(values.values())) if len(values) == 1 else values
        return self.coerce(result, service.type_ref)

    def for_service(self, service_id: str, variables: Mapping[str, Any]) -> DecisionEvaluator:
        """An evaluation inside a decision service: its input decisions are given, not run
        (a value of the wrong type is null, as a mistyped input data is)."""
        service = self.graph.services[service_id]
        inner = DecisionEvaluator(self.graph, variables, self.typing)
        for decision_id in service.input_decisions:
            decision = self.graph.decision_models.get(decision_id)
            if decision is not None:
                value = to_feel_value(variables.get(decision.name))
                inner.results[decision_id] = self.coerce(value, decision.type_ref)
        return inner

    def _service_function(self, service: m.DecisionService) -> FeelFunction:
        # parameters: the input data, then the input decisions (DMN 1.3, 10.4), typed
        parameters = [
            (self.graph.input_data[d].name, self.graph.input_data[d].type_ref)
            for d in service.input_data
            if d in self.graph.input_data
        ] + [
            (self.graph.decision_models[d].name, self.graph.decision_models[d].type_ref)
            for d in service.input_decisions
            if d in self.graph.decision_models
        ]

        def invoke(args: Sequence[Any]) -> Any:
            values: dict[str, Any] = {}
            for (name, type_ref), arg in zip(parameters, args, strict=False):
                values[name] = self.coerce(arg, type_ref)
                if arg is not None and values[name] is None:
                    return None  # an argument of the wrong type: the invocation is null
            return self.service(service.id, values)

        return FeelFunction(tuple(name for name, _ in parameters), invoke)

    def _bkm_function(self, bkm: m.BusinessKnowledgeModel) -> Any:
        logic = bkm.logic
        if not isinstance(logic, m.FunctionDefinition):
            message = (
                logic.message
                if isinstance(logic, m.Broken)
                else f"the business knowledge model '{bkm.name}' has no logic"
            )

            def fail(args: Sequence[Any]) -> Any:
                raise FeelEvaluationError(message)

            return FeelFunction((), fail)
        return self._function(logic, {}, bkm.type_ref, knowledge=True)

    # ------------------------------------------------------------------ expressions

    def expression(self, expression: m.Expression, scope: Mapping[str, Any]) -> Any:
        return self.coerce(self._expression(expression, scope), expression.type_ref)

    def _optional(self, expression: m.Expression | None, scope: Mapping[str, Any]) -> Any:
        return None if expression is None else self.expression(expression, scope)

    def _expression(self, expression: m.Expression, scope: Mapping[str, Any]) -> Any:
        if isinstance(expression, m.Literal):
            if expression.compiled is None:
                return None
            return expression.compiled.evaluate(scope)
        if isinstance(expression, m.Context):
            return self._context(expression, scope)
        if isinstance(expression, m.ListExpression):
            return [self.expression(item, scope) for item in expression.items]
        if isinstance(expression, m.Relation):
            return [
                {
                    column: self._optional(cell, scope)
                    for column, cell in zip(expression.columns, row, strict=False)
                }
                for row in expression.rows
            ]
        if isinstance(expression, m.FunctionDefinition):
            return self._function(expression, scope, None)
        if isinstance(expression, m.Invocation):
            return self._invocation(expression, scope)
        if isinstance(expression, m.DecisionTable):
            return evaluate_table(expression, scope, self.expression, self.coerce).value
        if isinstance(expression, m.Conditional):
            condition = _boolean(self._optional(expression.condition, scope), "if")
            branch = expression.then if condition is True else expression.otherwise
            return self._optional(branch, scope)
        if isinstance(expression, m.Filter):
            return self._filter(expression, scope)
        if isinstance(expression, m.Iterator):
            return self._iterate(expression, scope)
        raise FeelEvaluationError(expression.message)

    def _context(self, expression: m.Context, scope: Mapping[str, Any]) -> Any:
        result: dict[str, Any] = {}
        inner: ChainMap[str, Any] = ChainMap(result, scope)  # type: ignore[arg-type]
        for entry in expression.entries:
            value = self._optional(entry.value, inner)
            if entry.name is None:
                return value
            result[entry.name] = self.coerce(value, entry.type_ref)
        return dict(result)

    def _invocation(self, expression: m.Invocation, scope: Mapping[str, Any]) -> Any:
        callee = self._optional(expression.callee, scope)
        bindings = {name: self._optional(value, scope) for name, value in expression.bindings}
        if not isinstance(callee, FeelFunction):
            return None
        return callee.invoke([bindings.get(param) for param in callee.params])

    def _function(
        self,
        definition: m.FunctionDefinition,
        scope: Mapping[str, Any],
        result_type: str | None,
        knowledge: bool = False,
    ) -> FeelFunction:
        parameters = definition.parameters
        body = definition.body

        def invoke(args: Sequence[Any]) -> Any:
            local: dict[str, Any] = {}
            for parameter, arg in zip(parameters, args, strict=False):
                if self.typing == "camunda":
                    problem = camunda_type_mismatch(arg, parameter.type_ref)
                    if problem is not None:
                        raise FeelEvaluationError(f"parameter '{parameter.name}': {problem}")
                local[parameter.name] = self.coerce(arg, parameter.type_ref)
                if arg is not None and local[parameter.name] is None:
                    return None  # an argument of the wrong type: the invocation is null
            outer: Mapping[str, Any] = scope
            if knowledge:  # a BKM sees the other BKMs, not the caller's variables
                outer = self._knowledge
            value = self._optional(body, ChainMap(local, outer))  # type: ignore[arg-type]
            return self.coerce(value, result_type)

        return FeelFunction(tuple(p.name for p in parameters), invoke)

    def _filter(self, expression: m.Filter, scope: Mapping[str, Any]) -> Any:
        source = self._optional(expression.source, scope)
        if source is None:
            return None
        items = source if isinstance(source, list) else [source]
        kept = []
        for item in items:
            local = dict(item) if isinstance(item, dict) else {}
            local["item"] = item
            match = self._optional(expression.match, ChainMap(local, scope))  # type: ignore[arg-type]
            if _boolean(match, "match") is True:
                kept.append(item)
        return kept

    def _iterate(self, expression: m.Iterator, scope: Mapping[str, Any]) -> Any:
        source = self._optional(expression.source, scope)
        if source is None:
            return None
        items = source if isinstance(source, list) else [source]
        results = [
            self._optional(expression.body, ChainMap({expression.variable: item}, scope))  # type: ignore[arg-type]
            for item in items
        ]
        if expression.kind == "for":
            return results
        for result in results:
            _boolean(result, "satisfies")
        if expression.kind == "some":
            return True if any(r is True for r in results) else (None if None in results else False)
        return False if any(r is False for r in results) else (None if None in results else True)


def _unchanged(value: Any, type_ref: str | None) -> Any:
    return value


def _result_names(decision: m.Decision) -> tuple[str, ...]:
    names = [decision.name, decision.id]
    if decision.variable_name:
        names.append(decision.variable_name)
    return tuple(dict.fromkeys(names))


def _boolean(value: Any, part: str) -> Any:
    """The value of a boxed expression's condition, which must be a boolean or null."""
    if value is not None and not isinstance(value, bool):
        raise FeelEvaluationError(
            f"the '{part}' of a boxed expression gave {value!r}, not a boolean"
        )
    return value


def _describe(error: FeelError) -> str:
    if isinstance(error, DecisionFailure) or not error.expression:
        return error.message if not error.position else str(error)
    text = " ".join(error.expression.split())
    if len(text) > 100:
        text = text[:97] + "..."
    return f"failed to evaluate expression '{text}': {error}"


@contextmanager
def _clock(now: dt.datetime | None) -> Iterator[None]:
    if now is None:
        yield
        return
    with use_clock(now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)):
        yield


def evaluate_decision(
    graph: m.DecisionRequirementsGraph,
    decision_id: str,
    variables: Mapping[str, Any],
    now: dt.datetime | None = None,
    typing: Typing = "camunda",
) -> DecisionEvaluation:
    """Evaluate `decision_id` (and the decisions it requires) against `variables`, with
    Camunda's type rules (`typing="dmn"`: DMN's, as the TCK expects)."""
    evaluator = DecisionEvaluator(graph, variables, typing)
    failure: EvaluationFailure | None = None
    output: Any = None
    with _clock(now):
        try:
            output = to_json_value(evaluator.decision(decision_id))
        except DecisionFailure as error:
            failure = EvaluationFailure(error.decision_id, _failure_message(graph, error))
        except FeelError as error:
            failure = EvaluationFailure(decision_id, _failure_message(graph, error, decision_id))
        except RecursionError:
            failure = EvaluationFailure(
                decision_id,
                f"Expected to evaluate decision '{decision_id}', but the evaluation nested"
                " too deeply",
            )
        except Exception as error:  # a defect must fail the evaluation, never the caller
            failure = EvaluationFailure(
                evaluator.current or decision_id,
                f"Expected to evaluate decision '{evaluator.current or decision_id}', but an"
                f" internal error occurred: {type(error).__name__}: {error}",
            )
        try:
            evaluated = tuple(_audited(*entry) for entry in evaluator.audit)
        except FeelError:  # a value without a JSON form; the failure above already says so
            evaluated = ()
    return DecisionEvaluation(decision_id, None if failure else output, evaluated, failure)


def _failure_message(
    graph: m.DecisionRequirementsGraph, error: FeelError, decision_id: str | None = None
) -> str:
    failed = getattr(error, "decision_id", decision_id) or ""
    detail = error.message if isinstance(error, DecisionFailure) else _describe(error)
    return f"Expected to evaluate decision '{failed}', but {detail}"


def _audited(decision: m.Decision, value: Any, table: TableResult | None) -> EvaluatedDecision:
    inputs: tuple[EvaluatedInput, ...] = ()
    rules: tuple[MatchedRule, ...] = ()
    if table is not None and isinstance(decision.logic, m.DecisionTable):
        logic = decision.logic
        inputs = tuple(
            EvaluatedInput(clause.id or "", clause.label, to_json_value(input_value))
            for clause, input_value in zip(logic.inputs, table.inputs, strict=False)
        )
        rules = tuple(
            MatchedRule(
                rule.id or "",
                rule.index,
                tuple(
                    EvaluatedOutput(output.id or "", output.name or output.label, to_json_value(v))
                    for output, v in zip(logic.outputs, values, strict=False)
                ),
            )
            for rule, values in table.matched
        )
    return EvaluatedDecision(
        decision.id,
        decision.name,
        decision_type(decision.logic),
        to_json_value(value),
        inputs,
        rules,
    )
