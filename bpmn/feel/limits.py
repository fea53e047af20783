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
# steps of one evaluation (`Root.count`): an iteration of `for`, `some`, `every` or a filter
# and a call of a user-defined function cost the nodes of their body (so a big body inside a
# loop or a recursion costs what it does); a built-in call costs 1 plus the elements of the
# lists it takes and returns (and 1 per 1,000 characters of the strings it reads, 1 per 100 of
# a string it returns); `+` of strings 1 per 100 characters of the result; `=` and `in` on a
# list cost its elements. About a second of evaluation at most.
MAX_EVALUATION_STEPS = 1_000_000
# characters of a string that cost one step: read by a built-in, and built (by `+` or a
# built-in), so that the strings one evaluation builds stay near 100 MB
STRING_CHARACTERS_PER_STEP = 1_000
BUILT_CHARACTERS_PER_STEP = 100
# characters of a string produced by `+` or a built-in function
MAX_STRING_LENGTH = 1_000_000
# nested invocations of user-defined functions (recursion)
MAX_CALL_DEPTH = 64
