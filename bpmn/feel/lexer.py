"""FEEL text into tokens.

Names are single words here (`order`, `item`); the parser joins adjacent words into
multi-word names (`order item`, `string length`) because FEEL keywords (`and`, `in`, ...)
are only keywords where the grammar expects them. Characters that start no token become
OTHER tokens so that context keys such as `{foo+bar: 1}` can be read from the raw text;
anywhere else the parser reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bpmn.feel.errors import FeelSyntaxError
from bpmn.feel.limits import MAX_EXPRESSION_LENGTH


class Kind(Enum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    QUOTED_NAME = "quoted name"  # `a b` in backticks: one name, never joined
    OP = "operator"
    OTHER = "character"
    EOF = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    value: str  # the unescaped string for STRING, the text otherwise
    start: int
    end: int
    space_before: bool = False  # whitespace or a comment separates it from the previous token

    def describe(self) -> str:
        if self.kind is Kind.EOF:
            return "end of expression"
        if self.kind is Kind.STRING:
            return "string literal"
        return f"'{self.value}'"


_OPERATORS_2 = ("**", "..", "<=", ">=", "!=")
_OPERATORS_1 = "=<>+-*/()[]{},:.?@"

_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "'": "'",
    '"': '"',
    "\\": "\\",
}


def is_digit(char: str) -> bool:
    """An ASCII digit: FEEL numbers are written with 0-9 only (`str.isdigit` also accepts `³`
    and other Unicode digits, which no number can be made of)."""
    return "0" <= char <= "9"


def is_name_start(char: str) -> bool:
    return char.isalpha() or char in "_$"


def is_name_part(char: str) -> bool:
    return char.isalnum() or char in "_$"


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise FeelSyntaxError(
            f"expression is longer than {MAX_EXPRESSION_LENGTH} characters", 0, text
        )
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    space = False
    while True:
        # whitespace and comments
        while pos < length:
            char = text[pos]
            if char.isspace():
                pos += 1
                space = True
            elif text.startswith("//", pos):
                newline = text.find("\n", pos)
                pos = length if newline < 0 else newline + 1
                space = True
            elif text.startswith("/*", pos):
                close = text.find("*/", pos + 2)
                if close < 0:
                    raise FeelSyntaxError("unterminated comment", pos, text)
                pos = close + 2
                space = True
            else:
                break
        if pos >= length:
            tokens.append(Token(Kind.EOF, "", length, length, space))
            return tokens
        start = pos
        char = text[pos]
        if is_digit(char) or (
            char == "."
            and pos + 1 < length
            and is_digit(text[pos + 1])
            and not _after_dot(text, pos)
        ):
            while pos < length and is_digit(text[pos]):
                pos += 1
            if pos + 1 < length and text[pos] == "." and is_digit(text[pos + 1]):
                pos += 1
                while pos < length and is_digit(text[pos]):
                    pos += 1
            pos = _exponent(text, pos)
            tokens.append(Token(Kind.NUMBER, text[start:pos], start, pos, space))
        elif is_name_start(char):
            while pos < length and is_name_part(text[pos]):
                pos += 1
            tokens.append(Token(Kind.NAME, text[start:pos], start, pos, space))
        elif char == '"':
            value, pos = _read_string(text, pos)
            tokens.append(Token(Kind.STRING, value, start, pos, space))
        elif char == "`":
            close = text.find("`", pos + 1)
            if close < 0 or close == pos + 1:
                raise FeelSyntaxError("unterminated or empty `name`", pos, text)
            pos = close + 1
            tokens.append(Token(Kind.QUOTED_NAME, text[start + 1 : close], start, pos, space))
        elif text[pos : pos + 2] in _OPERATORS_2:
            pos += 2
            tokens.append(Token(Kind.OP, text[start:pos], start, pos, space))
        elif char in _OPERATORS_1:
            pos += 1
            tokens.append(Token(Kind.OP, char, start, pos, space))
        else:
            pos += 1
            tokens.append(Token(Kind.OTHER, char, start, pos, space))
        space = False


def _exponent(text: str, pos: int) -> int:
    """The end of an exponent (`1.2e-3`, DMN 1.4) starting at `pos`, or `pos` if there is none."""
    if pos < len(text) and text[pos] in "eE":
        digits = pos + 1
        if digits < len(text) and text[digits] in "+-":
            digits += 1
        if digits < len(text) and is_digit(text[digits]):
            while digits < len(text) and is_digit(text[digits]):
                digits += 1
            return digits
    return pos


def _after_dot(text: str, pos: int) -> bool:
    """`.5` is a number unless the dot belongs to `..` (`1..5` has no `.5`)."""
    return pos > 0 and text[pos - 1] == "."


def _read_string(text: str, pos: int) -> tuple[str, int]:
    start = pos
    pos += 1
    parts: list[str] = []
    length = len(text)
    while True:
        if pos >= length:
            raise FeelSyntaxError("unterminated string literal", start, text)
        char = text[pos]
        if char == '"':
            return join_surrogates("".join(parts)), pos + 1
        if char != "\\":
            end = pos
            while end < length and text[end] not in '"\\':
                end += 1
            parts.append(text[pos:end])
            pos = end
            continue
        if pos + 1 >= length:
            raise FeelSyntaxError("unterminated string literal", start, text)
        code = text[pos + 1]
        if code in _ESCAPES:
            parts.append(_ESCAPES[code])
            pos += 2
        elif code in "uU":
            digits = 4 if code == "u" else 6
            hex_digits = text[pos + 2 : pos + 2 + digits]
            if len(hex_digits) != digits or not all(
                c in "0123456789abcdefABCDEF" for c in hex_digits
            ):
                raise FeelSyntaxError(f"invalid escape sequence \\{code}", pos, text)
            parts.append(chr(int(hex_digits, 16)))
            pos += 2 + digits
        else:
            # feel-scala keeps unknown escapes (regular expressions rely on `\d`, `\s`, ...)
            parts.append("\\" + code)
            pos += 2


def join_surrogates(value: str) -> str:
    """`\\uD83D\\uDE00` escapes surrogate halves; combine them into one code point."""
    if not any("\ud800" <= c <= "\udfff" for c in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
