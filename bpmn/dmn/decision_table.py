"""Decision tables as Camunda's DMN engine evaluates them: input expressions once, each rule's
input entries as unary tests against them (`-` or empty matches anything; a null test result
is no match), the matched rules' output entries, then the hit policy. No rule matched gives
the default output entries, else null. PRIORITY and OUTPUT ORDER rank rules by the position
of their outputs in each output's output values, first output first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bpmn.dmn.model import Aggregation, DecisionTable, Expression, HitPolicy, Rule
from bpmn.feel import FeelError, FeelEvaluationError
from bpmn.feel.operators import equals
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT

EvaluateFn = Callable[[Expression, Mapping[str, Any]], Any]
CoerceFn = Callable[[Any, str | None], Any]


class DecisionTableFailure(FeelEvaluationError):
    """The table cannot give a result (a hit policy violated, an entry that fails)."""


@dataclass(frozen=True, slots=True)
class TableResult:
    """A table's value with what the audit shows: input values and the matched rules."""

    value: Any
    inputs: tuple[Any, ...]
    matched: tuple[tuple[Rule, tuple[Any, ...]], ...]  # a rule and its output values


def evaluate_table(
    table: DecisionTable, scope: Mapping[str, Any], evaluate: EvaluateFn, coerce: CoerceFn
) -> TableResult:
    inputs = tuple(
        coerce(evaluate(clause.expression, scope), clause.type_ref) for clause in table.inputs
    )
    matched: list[Rule] = []
    for rule in table.rules:
        if _matches(rule, inputs, scope):
            matched.append(rule)
            if table.hit_policy is HitPolicy.FIRST:
                break
    evaluated = tuple(
        (
            rule,
            tuple(
                coerce(evaluate(entry, scope), output.type_ref)
                for entry, output in zip(rule.output_entries, table.outputs, strict=False)
            ),
        )
        for rule in matched
    )
    if not evaluated:
        return TableResult(_defaults(table, scope, evaluate, coerce), inputs, ())
    return TableResult(_apply_hit_policy(table, evaluated, scope, evaluate), inputs, evaluated)


def _matches(rule: Rule, inputs: tuple[Any, ...], scope: Mapping[str, Any]) -> bool:
    for index, (entry, value) in enumerate(zip(rule.input_entries, inputs, strict=False)):
        if entry.error is not None:
            raise DecisionTableFailure(entry.error)
        if entry.compiled is None:
            continue
        try:
            result = entry.compiled.matches(value, scope)
        except FeelError as error:
            raise DecisionTableFailure(
                f"failed to evaluate input entry '{entry.text}' of rule {rule.index}"
                f" (input {index + 1}): {error}"
            ) from None
        if result is not True:
            return False
    return True


def _defaults(
    table: DecisionTable, scope: Mapping[str, Any], evaluate: EvaluateFn, coerce: CoerceFn
) -> Any:
    if all(output.default is None for output in table.outputs):
        return None
    values = {
        output.name: coerce(evaluate(output.default, scope), output.type_ref)
        if output.default is not None
        else None
        for output in table.outputs
    }
    if len(table.outputs) == 1:
        return next(iter(values.values()))
    return values


def _row(table: DecisionTable, values: tuple[Any, ...]) -> Any:
    if len(table.outputs) == 1:
        return values[0] if values else None
    return {output.name: value for output, value in zip(table.outputs, values, strict=False)}


def _apply_hit_policy(
    table: DecisionTable,
    evaluated: tuple[tuple[Rule, tuple[Any, ...]], ...],
    scope: Mapping[str, Any],
    evaluate: EvaluateFn,
) -> Any:
    policy = table.hit_policy
    rows = [_row(table, values) for _, values in evaluated]
    if policy is HitPolicy.FIRST:
        return rows[0]
    if policy is HitPolicy.UNIQUE:
        if len(rows) > 1:
            raise DecisionTableFailure(
                f"hit policy UNIQUE allows one matching rule, but {_rules(evaluated)} matched"
            )
        return rows[0]
    if policy is HitPolicy.ANY:
        first = rows[0]
        if any(not _same(first, row) for row in rows[1:]):
            raise DecisionTableFailure(
                f"hit policy ANY needs the matching rules to agree, but {_rules(evaluated)}"
                " matched with different outputs"
            )
        return first
    if policy is HitPolicy.PRIORITY:
        return _by_priority(table, evaluated, scope, evaluate)[0]
    if policy is HitPolicy.OUTPUT_ORDER:
        return _by_priority(table, evaluated, scope, evaluate)
    if policy is HitPolicy.RULE_ORDER or table.aggregation is None:
        return rows
    return _aggregate(table.aggregation, table, rows)


def _aggregate(aggregation: Aggregation, table: DecisionTable, rows: list[Any]) -> Any:
    if len(table.outputs) != 1:
        raise DecisionTableFailure(
            f"hit policy COLLECT with {aggregation.value} needs one output, but the table has"
            f" {len(table.outputs)}"
        )
    values = [row for row in rows if row is not None]
    if aggregation is Aggregation.COUNT:
        return Decimal(len(values))
    for value in values:
        if not isinstance(value, Decimal) or isinstance(value, bool):
            raise DecisionTableFailure(
                f"hit policy COLLECT with {aggregation.value} needs numbers, but an output is"
                f" {value!r}"
            )
    if not values:
        return None
    if aggregation is Aggregation.MIN:
        return min(values)
    if aggregation is Aggregation.MAX:
        return max(values)
    total = Decimal(0)
    for value in values:
        total = FEEL_DECIMAL_CONTEXT.add(total, value)
    return total


def _by_priority(
    table: DecisionTable,
    evaluated: tuple[tuple[Rule, tuple[Any, ...]], ...],
    scope: Mapping[str, Any],
    evaluate: EvaluateFn,
) -> list[Any]:
    orders: list[list[Any] | None] = []
    for output in table.outputs:
        if output.output_values is None:
            orders.append(None)
            continue
        listed = evaluate(output.output_values, scope)
        orders.append(listed if isinstance(listed, list) else None)

    def rank(values: tuple[Any, ...]) -> tuple[int, ...]:
        key = []
        for order, value in zip(orders, values, strict=False):
            if order is None:
                continue
            position = next(
                (i for i, candidate in enumerate(order) if equals(candidate, value) is True),
                len(order),
            )
            key.append(position)
        return tuple(key)

    ranked = sorted(evaluated, key=lambda item: rank(item[1]))  # stable: rule order on ties
    return [_row(table, values) for _, values in ranked]


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    return (left is None and right is None) or equals(left, right) is True


def _rules(evaluated: tuple[tuple[Rule, tuple[Any, ...]], ...]) -> str:
    names = [f"'{rule.id}'" if rule.id else f"#{rule.index}" for rule, _ in evaluated]
    return "rules " + ", ".join(names)
