"""The checks of a client call's arguments, made before anything is sent. A wrong argument
raises `InvalidArgumentError` naming the call, the argument, what it must be and what it was.

The ranges are Zeebe's: keys are positive 64-bit longs; durations are non-negative seconds
whose milliseconds fit a long; retries and counts are 32-bit ints. Variables are a JSON object
as the engine stores them (string keys; values null, booleans, strings, integers of at most
4,300 digits, finite numbers, lists and objects, nested at most `MAX_DEPTH` deep).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, NoReturn, TypeGuard

from bpmn.feel.json_values import MAX_JSON_INTEGER_DIGITS
from broker.protocol.number_ranges import MAX_INT, MAX_LONG
from clients.errors import InvalidArgumentError

# A variable's integers are bounded as the engine bounds them (variable_values.py): a worker
# hands back what the engine gave it, FEEL's 10 ** 30 included.
_MAX_VARIABLE_INTEGER: Final = 10**MAX_JSON_INTEGER_DIGITS - 1
MAX_DEPTH: Final = 256
"""Deepest nesting of variables (the JSON codecs of both sides recurse)."""


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class Arguments:
    """The checks for one call: `Arguments("complete_job").key("key", key)`."""

    __slots__ = ("call",)

    def __init__(self, call: str) -> None:
        self.call = call

    def fail(self, argument: str, problem: str) -> NoReturn:
        raise InvalidArgumentError.of_argument(self.call, argument, problem)

    def key(self, name: str, value: object) -> int:
        """A key the engine handed out: a positive 64-bit long."""
        if not _is_int(value):
            self.fail(name, f"must be a key (a positive integer), but was {_shown(value)}")
        key = int(value)
        if not 1 <= key <= MAX_LONG:
            self.fail(name, f"must be a key between 1 and {MAX_LONG}, but was {key}")
        return key

    def text(self, name: str, value: object, *, required: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(name, f"must be a string, but was {_shown(value)}")
        if required and not value:
            self.fail(name, "must not be empty")
        return value

    def optional_text(self, name: str, value: object) -> str:
        """A string that may be left out (None gives the empty string)."""
        return "" if value is None else self.text(name, value)

    def flag(self, name: str, value: object) -> bool:
        if not isinstance(value, bool):
            self.fail(name, f"must be True or False, but was {_shown(value)}")
        return value

    def count(self, name: str, value: object, *, minimum: int) -> int:
        """A 32-bit int of at least `minimum` (retries, job counts, versions)."""
        if not _is_int(value):
            self.fail(name, f"must be an integer, but was {_shown(value)}")
        number = int(value)
        if not minimum <= number <= MAX_INT:
            self.fail(name, f"must be between {minimum} and {MAX_INT}, but was {number}")
        return number

    def millis(self, name: str, value: object, *, positive: bool = False) -> int:
        """A duration in seconds, as the milliseconds the engine takes (a long)."""
        if _is_int(value):
            ms = int(value) * 1000
        elif not isinstance(value, float):
            self.fail(name, f"must be a number of seconds, but was {_shown(value)}")
        elif not math.isfinite(value):
            self.fail(name, f"must be a finite number of seconds, but was {value}")
        else:
            ms = round(value * 1000)
        if positive and ms < 1:
            self.fail(name, f"must be at least 0.001 seconds, but was {value}")
        if ms < 0:
            self.fail(name, f"must not be negative, but was {value}")
        if ms > MAX_LONG:
            self.fail(name, f"must be at most {MAX_LONG // 1000} seconds, but was {value}")
        return ms

    def seconds(self, name: str, value: object, *, positive: bool = False) -> float:
        """A duration in seconds for the client itself (how long to wait)."""
        return self.millis(name, value, positive=positive) / 1000

    def names(self, name: str, value: object) -> tuple[str, ...]:
        """A sequence of strings (a single string is refused: it would be its letters)."""
        if isinstance(value, str) or not isinstance(value, (tuple, list)):
            self.fail(name, f"must be a list or tuple of strings, but was {_shown(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(f"{name}[{index}]", f"must be a string, but was {_shown(item)}")
        return tuple(value)

    def resource(self, name: str, value: object) -> str | Path | bytes:
        if isinstance(value, bytearray):
            return bytes(value)
        if not isinstance(value, (str, Path, bytes)):
            self.fail(name, f"must be a path or BPMN XML bytes, but was {_shown(value)}")
        return value

    def variables(self, name: str, value: object, *, required: bool = False) -> dict[str, Any]:
        """A JSON object, copied (tuples become lists, mappings dicts); None gives {} unless
        `required`."""
        if value is None and not required:
            return {}
        if not isinstance(value, Mapping):
            self.fail(name, f"must be a dict of variables, but was {_shown(value)}")
        return self._object(name, value, 1)

    def _object(self, path: str, value: Mapping[Any, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.fail(path, f"must have string keys (JSON), but has the key {_shown(key)}")
            out[key] = self._json(f"{path}[{key!r}]", item, depth)
        return out

    def _json(self, path: str, value: object, depth: int) -> Any:
        if value is None or isinstance(value, (str, bool)):
            return value
        if isinstance(value, int):
            if not -_MAX_VARIABLE_INTEGER <= value <= _MAX_VARIABLE_INTEGER:
                self.fail(
                    path,
                    f"must be an integer of at most {MAX_JSON_INTEGER_DIGITS} digits (what JSON"
                    " writes and reads back)",
                )
            return int(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                self.fail(path, f"must be a finite number (JSON has no {value}), but was {value}")
            return float(value)
        if depth >= MAX_DEPTH:
            root = path.partition("[")[0]
            self.fail(root, f"nests lists and objects more than {MAX_DEPTH} deep")
        if isinstance(value, Mapping):
            return self._object(path, value, depth + 1)
        if isinstance(value, (list, tuple)):
            return [self._json(f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value)]
        self.fail(path, f"must be a JSON value, but was {_shown(value)}")
