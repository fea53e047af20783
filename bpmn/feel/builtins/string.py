"""String functions, positions counted in characters (code points) from 1, negative positions
from the end; the regular-expression ones go through `xpath_regex`. Includes Camunda's
extensions `trim`, `uuid`, `to base64`, `from base64` and `is blank`.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from decimal import Decimal
from typing import Any

from bpmn.feel.builtins import xpath_regex
from bpmn.feel.builtins.base import (
    OMITTED,
    Builtin,
    FeelFunctionError,
    is_number,
    is_string,
    require,
)
from bpmn.feel.builtins.clock import random_source
from bpmn.feel.builtins.numbers import int_value


def _strings(*values: Any) -> None:
    require(all(is_string(v) for v in values), "expected string arguments")


def _start_index(text: str, position: int) -> int:
    return position - 1 if position > 0 else len(text) + position


def _substring(text: Any, start: Any, length: Any = OMITTED) -> str:
    _strings(text)
    require(is_number(start), "start position must be a number")
    require(length is OMITTED or is_number(length), "length must be a number")
    index = max(_start_index(text, int_value(start)), 0)
    if length is OMITTED:
        return str(text[index:])
    return str(text[index : index + max(int_value(length), 0)])


def _string_length(text: Any) -> Decimal:
    _strings(text)
    return Decimal(len(text))


def _upper_case(text: Any) -> str:
    _strings(text)
    return str(text.upper())


def _lower_case(text: Any) -> str:
    _strings(text)
    return str(text.lower())


def _substring_before(text: Any, match: Any) -> str:
    _strings(text, match)
    index = text.find(match)
    return text[:index] if index > 0 else ""


def _substring_after(text: Any, match: Any) -> str:
    _strings(text, match)
    index = text.find(match)
    return text[index + len(match) :] if index >= 0 else ""


def _replace(text: Any, pattern: Any, replacement: Any, flags: Any = "") -> str:
    flags = "" if flags is None else flags  # null flags are no flags (DMN TCK)
    _strings(text, pattern, replacement, flags)
    return xpath_regex.replace(text, pattern, replacement, flags)


def _contains(text: Any, match: Any) -> bool:
    _strings(text, match)
    return match in text


def _starts_with(text: Any, match: Any) -> bool:
    _strings(text, match)
    return bool(text.startswith(match))


def _ends_with(text: Any, match: Any) -> bool:
    _strings(text, match)
    return bool(text.endswith(match))


def _matches(text: Any, pattern: Any, flags: Any = "") -> bool:
    flags = "" if flags is None else flags  # null flags are no flags (DMN TCK)
    _strings(text, pattern, flags)
    return xpath_regex.matches(text, pattern, flags)


def _split(text: Any, delimiter: Any) -> list[str]:
    _strings(text, delimiter)
    return xpath_regex.split(text, delimiter)


def _extract(text: Any, pattern: Any) -> list[str]:
    _strings(text, pattern)
    return xpath_regex.extract(text, pattern)


def _trim(text: Any) -> str:
    _strings(text)
    # Java's String.trim: strips the control characters and space (code points <= U+0020)
    return str(text.strip("".join(chr(c) for c in range(0x21))))


def _uuid() -> str:
    # drawn from the clock module's random source so the engine can make it reproducible
    return str(uuid.UUID(int=random_source().getrandbits(128), version=4))


def _to_base64(text: Any) -> str:
    _strings(text)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _from_base64(text: Any) -> str:
    _strings(text)
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise FeelFunctionError(f"invalid Base64 value '{text}'") from None


def _is_blank(text: Any) -> bool:
    _strings(text)
    return not str(text).strip()


FUNCTIONS = [
    Builtin("substring", ("string", "start position", "length"), _substring, optional=1),
    Builtin("string length", ("string",), _string_length),
    Builtin("upper case", ("string",), _upper_case),
    Builtin("lower case", ("string",), _lower_case),
    Builtin("substring before", ("string", "match"), _substring_before),
    Builtin("substring after", ("string", "match"), _substring_after),
    Builtin("replace", ("input", "pattern", "replacement", "flags"), _replace, optional=1),
    Builtin("contains", ("string", "match"), _contains),
    Builtin("starts with", ("string", "match"), _starts_with),
    Builtin("ends with", ("string", "match"), _ends_with),
    Builtin("matches", ("input", "pattern", "flags"), _matches, optional=1),
    Builtin("split", ("string", "delimiter"), _split),
    Builtin("extract", ("input", "pattern"), _extract),
    Builtin("trim", ("string",), _trim),
    Builtin("uuid", (), _uuid),
    Builtin("to base64", ("value",), _to_base64),
    Builtin("from base64", ("value",), _from_base64),
    Builtin("is blank", ("string",), _is_blank),
]
