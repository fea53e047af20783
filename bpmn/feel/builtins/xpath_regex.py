"""XPath / Java regular expressions on Python's `re`: FEEL's `matches`, `replace`, `split`
take XPath patterns, flags (s, m, i, x, q) and `$1` replacement references; this module
translates them (see `_translate`) and refuses patterns that risk catastrophic backtracking.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bpmn.feel.builtins.base import FeelFunctionError

MAX_PATTERN_LENGTH = 1000
MAX_INPUT_LENGTH = 1_000_000
# a quantified group whose body is itself quantified, as in (a+)+ or (\w*)*: the classic
# exponential backtracking shape; rejecting it is cheap and catches the common mistakes
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")
# "x" is not re.VERBOSE: XPath drops whitespace before matching and knows no # comments
_FLAG_BITS = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE, "x": 0}
_WHITESPACE = " \t\n\r"


@lru_cache(maxsize=256)
def compile_pattern(pattern: str, flags: str = "") -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FeelFunctionError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    bits = 0
    for flag in flags:
        if flag == "q":
            continue
        if flag not in _FLAG_BITS:
            raise FeelFunctionError(f"invalid regular expression flag '{flag}'")
        bits |= _FLAG_BITS[flag]
    if "q" in flags:
        source = re.escape(pattern)  # XPath 3.0: the pattern is a literal string
    else:
        if _NESTED_QUANTIFIER.search(pattern):
            raise FeelFunctionError(f"pattern '{pattern}' risks catastrophic backtracking")
        source = _translate(_strip_whitespace(pattern) if "x" in flags else pattern, flags)
    try:
        return re.compile(source, bits)
    except re.error as error:
        raise FeelFunctionError(f"invalid pattern '{pattern}': {error}") from None


def _strip_whitespace(pattern: str) -> str:
    """The `x` flag: whitespace goes, except inside character classes (XPath 2.0)."""
    out: list[str] = []
    depth = 0
    escaped = False
    for char in pattern:
        if char in _WHITESPACE and depth == 0:
            continue  # `\ s` becomes `\s`: the escape applies to what follows
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    return "".join(out)


def _translate(pattern: str, flags: str = "") -> str:
    """XPath syntax that Python reads otherwise: Java named groups `(?<name>` become
    `(?P<name>`; `.` matches neither newline nor carriage return (unless flag s); a class
    subtraction `[a-z-[aeiou]]` becomes a lookahead; a back-reference inside a class is an
    error, not an octal escape."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
        elif char == "[":
            end, translated = _character_class(pattern, index)
            out.append(translated)
            index = end
        elif char == "." and "s" not in flags:
            out.append("[^\\n\\r]")
            index += 1
        elif pattern.startswith("(?<", index) and pattern[index + 3 : index + 4] not in "=!":
            out.append("(?P<")
            index += 3
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _character_class(pattern: str, start: int) -> tuple[int, str]:
    """The class opening at `start`: (index after it, its Python form)."""
    index = start + 1
    if pattern.startswith("^", index):
        index += 1
    if pattern.startswith("]", index):
        index += 1  # a leading ] is a literal
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if pattern[index + 1 : index + 2].isdigit():
                raise FeelFunctionError(f"back-reference in a character class in '{pattern}'")
            index += 2
        elif pattern.startswith("-[", index):
            end, excluded = _character_class(pattern, index + 1)
            if not pattern.startswith("]", end):
                raise FeelFunctionError(f"invalid class subtraction in '{pattern}'")
            base = pattern[start:index] + "]"
            return end + 1, f"(?:(?!{excluded}){base})"
        elif char == "]":
            return index + 1, pattern[start : index + 1]
        else:
            index += 1
    return len(pattern), pattern[start:]  # unterminated: re.compile reports it


def check_input(text: str) -> None:
    if len(text) > MAX_INPUT_LENGTH:
        raise FeelFunctionError("input too long for a regular expression")


def parse_replacement(replacement: str) -> list[str | int]:
    """XPath replacement text as literal pieces and group numbers (`$1`; `\\$`, `\\\\` escape)."""
    parts: list[str | int] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        if char == "\\":
            if index + 1 >= len(replacement) or replacement[index + 1] not in "\\$":
                raise FeelFunctionError(f"invalid replacement '{replacement}'")
            parts.append(replacement[index + 1])
            index += 2
        elif char == "$":
            digits = re.match(r"\d+", replacement[index + 1 :])
            if digits is None:
                raise FeelFunctionError(f"invalid replacement '{replacement}'")
            parts.append(int(digits.group()))
            index += 1 + len(digits.group())
        else:
            parts.append(char)
            index += 1
    return parts


def _group_number(number: int, groups: int, pattern: str) -> int:
    # a reference beyond the group count takes fewer digits, as Java's replaceAll does
    while number > groups and number >= 10:
        number //= 10
    if number > groups:
        raise FeelFunctionError(f"no group {number} in pattern '{pattern}'")
    return number


def replace(text: str, pattern: str, replacement: str, flags: str = "") -> str:
    check_input(text)
    compiled = compile_pattern(pattern, flags)
    if "q" in flags:
        return compiled.sub(lambda _match: replacement, text)
    parts = [
        _group_number(part, compiled.groups, pattern) if isinstance(part, int) else part
        for part in parse_replacement(replacement)
    ]

    def expand(match: re.Match[str]) -> str:
        # a group that took no part in the match is the empty string, as in XPath
        return "".join(
            (match.group(part) or "") if isinstance(part, int) else part for part in parts
        )

    return compiled.sub(expand, text)


def matches(text: str, pattern: str, flags: str = "") -> bool:
    check_input(text)
    return compile_pattern(pattern, flags).search(text) is not None


def split(text: str, delimiter: str) -> list[str]:
    """Java's Pattern.split(text, -1): trailing empty strings stay, groups are not returned."""
    check_input(text)
    compiled = compile_pattern(delimiter)
    parts: list[str] = []
    start = 0
    for match in compiled.finditer(text):
        if match.end() == 0:
            continue  # a zero-width match at the very start yields no leading empty string
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return parts


def extract(text: str, pattern: str) -> list[str]:
    check_input(text)
    return [match.group(0) for match in compile_pattern(pattern).finditer(text)]
