"""FEEL (Friendly Enough Expression Language) as Camunda's feel-scala engine evaluates it.

    compile_expression("amount > 100").evaluate({"amount": 150})   # True
    evaluate("sum(items.price)", {"items": [...]})                 # Decimal
    compile_unary_tests("[1..10], > 100").matches(5, {})           # True
    to_json_value(result)                                          # JSON-compatible

Numbers are Decimals (34 digits, half-even); null is None; a missing variable or a type
mismatch gives null (see `CompiledExpression.evaluate_with_warnings` for why), while a real
failure raises FeelEvaluationError. No Python code can be reached from an expression.
"""

from bpmn.feel.errors import FeelError, FeelEvaluationError, FeelSyntaxError
from bpmn.feel.expressions import (
    CompiledExpression,
    CompiledUnaryTests,
    EvaluationResult,
    compile_expression,
    compile_unary_tests,
    evaluate,
)
from bpmn.feel.json_values import to_json_value
from bpmn.feel.scope import EvaluationWarning
from bpmn.feel.values import FEEL_DECIMAL_CONTEXT, FeelFunction, Range, to_feel_value

__all__ = [
    "FEEL_DECIMAL_CONTEXT",
    "CompiledExpression",
    "CompiledUnaryTests",
    "EvaluationResult",
    "EvaluationWarning",
    "FeelError",
    "FeelEvaluationError",
    "FeelFunction",
    "FeelSyntaxError",
    "Range",
    "compile_expression",
    "compile_unary_tests",
    "evaluate",
    "to_feel_value",
    "to_json_value",
]
