"""Bounds that keep a hostile or careless expression from hanging a partition.

Every limit fails with a FeelError naming it: syntax limits at compile time
(FeelSyntaxError), evaluation limits while evaluating (FeelEvaluationError).
"""

from __future__ import annotations

# characters of expression text
MAX_EXPRESSION_LENGTH = 100_000
# nesting of parentheses, brackets, braces, operators and control structures
MAX_NESTING_DEPTH = 64
# elements of a list produced by a range, `for`, a filter or a function (per list)
MAX_LIST_SIZE = 100_000
# total iterations of `for`, `some`, `every` and filters in one evaluation
MAX_ITERATIONS = 1_000_000
# characters of a string produced by `+` or a built-in function
MAX_STRING_LENGTH = 1_000_000
# nested invocations of user-defined functions (recursion)
MAX_CALL_DEPTH = 64
