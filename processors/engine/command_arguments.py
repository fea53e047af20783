"""The checks of an incoming command's arguments, before its processor runs. Numbers must fit
Zeebe's protocol: the key and every integer field a 64-bit long, retries and job counts and
versions a 32-bit int; durations (a message's time to live, a failed job's back-off, job
timeouts) not negative, and short enough that the deadline they give still fits a long.
Variables must be a JSON object a variable can hold (variable_values.py).

A command outside them is rejected INVALID_ARGUMENT with a reason naming the field (its JSON
name), instead of failing inside its processor ("unexpected error") or being accepted. Only
commands from outside are checked: the engine's own follow-ups are built from checked ones.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import typing
from collections.abc import Callable
from typing import Any, Final

from broker.protocol import Record
from broker.protocol.intents import (
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    command_intents,
)
from broker.protocol.keys import PARTITION_BITS
from broker.protocol.number_ranges import MAX_INT, MAX_LONG, MIN_INT, MIN_LONG
from broker.protocol.value_types import ValueType
from broker.protocol.values.base import camel_case
from processors.engine.variable_values import MAX_NUMBER, json_value_problem

MIN_PARTITION_KEY: Final = 1 << PARTITION_BITS
"""The smallest key a partition hands out (partition 1, counter 0)."""

# What a field must hold beyond a long: (JSON name, attribute, check). A check returns the
# constraint the value breaks, or None.
_Check = Callable[[int, int], str | None]


def _int32(value: int, _now_ms: int) -> str | None:
    if MIN_INT <= value <= MAX_INT:
        return None
    return f"a 32-bit integer ({MIN_INT} to {MAX_INT})"


def _duration(value: int, now_ms: int) -> str | None:
    """Milliseconds from now: not negative, and now + value must fit a long."""
    if 0 <= value <= MAX_LONG - max(now_ms, 0):
        return None
    return f"zero or more milliseconds, at most {MAX_LONG - max(now_ms, 0)} (a 64-bit deadline)"


def _partition_key(value: int, _now_ms: int) -> str | None:
    """A key some partition handed out (the partition id in its top bits): where an answer
    between partitions goes."""
    if MIN_PARTITION_KEY <= value <= MAX_LONG:
        return None
    return f"a key of a partition ({MIN_PARTITION_KEY} to {MAX_LONG})"


# The commands between the partitions of a message subscription are answered on the partition
# of the element instance that waits for the message (fuzzed commands of -1 failed there).
_SUBSCRIPTION_RULES: Final = {
    (value_type, intent): (("elementInstanceKey", "element_instance_key", _partition_key),)
    for value_type in (ValueType.MESSAGE_SUBSCRIPTION, ValueType.PROCESS_MESSAGE_SUBSCRIPTION)
    for intent in command_intents(value_type)
}

_FIELD_RULES: Final[dict[tuple[ValueType, Any], tuple[tuple[str, str, _Check], ...]]] = {
    **_SUBSCRIPTION_RULES,
    (ValueType.MESSAGE, MessageIntent.PUBLISH): (("timeToLive", "time_to_live", _duration),),
    (ValueType.JOB, JobIntent.FAIL): (
        ("retries", "retries", _int32),
        ("retryBackoff", "retry_backoff", _duration),
    ),
    (ValueType.JOB, JobIntent.UPDATE_RETRIES): (("retries", "retries", _int32),),
    (ValueType.JOB, JobIntent.UPDATE_TIMEOUT): (("timeout", "timeout", _duration),),
    (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE): (
        ("maxJobsToActivate", "max_jobs_to_activate", _int32),
        ("timeout", "timeout", _duration),
    ),
    (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE): (
        ("version", "version", _int32),
    ),
    (
        ValueType.PROCESS_INSTANCE_CREATION,
        ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
    ): (("version", "version", _int32),),
}


@dataclasses.dataclass(frozen=True, slots=True)
class _IntFields:
    """A value class's integer fields: `get` reads the scalar ones as a tuple at once."""

    names: tuple[tuple[str, str], ...]
    """(JSON name, attribute) of each scalar integer field, in `get`'s order."""
    get: Callable[[Any], tuple[int, ...]] | None
    arrays: tuple[tuple[str, str], ...]
    """(JSON name, attribute) of each tuple-of-integers field."""


_INT_FIELDS: dict[type, _IntFields] = {}


def _int_fields(cls: type) -> _IntFields:
    found = _INT_FIELDS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        scalars, arrays = [], []
        for f in dataclasses.fields(cls):
            named = (f.metadata.get("json_name") or camel_case(f.name), f.name)
            if hints[f.name] is int:
                scalars.append(named)
            elif hints[f.name] == tuple[int, ...]:
                arrays.append(named)
        getter = operator.attrgetter(*(a for _, a in scalars)) if scalars else None
        get = (lambda v, g=getter: (g(v),)) if len(scalars) == 1 else getter
        found = _INT_FIELDS[cls] = _IntFields(tuple(scalars), get, tuple(arrays))
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    """What to check in a command of one value class, value type and intent, worked out once."""

    fields: _IntFields
    rules: tuple[tuple[str, str, _Check], ...]
    variables: bool
    """Whether the value class has a `variables` field."""


_PLANS: dict[tuple[type, ValueType, Any], _Plan] = {}


def _plan(kind: tuple[type, ValueType, Any]) -> _Plan:
    cls, value_type, intent = kind
    found = _PLANS[kind] = _Plan(
        _int_fields(cls),
        _FIELD_RULES.get((value_type, intent), ()),
        any(f.name == "variables" for f in dataclasses.fields(cls)),
    )
    return found


def invalid_argument(command: Record[Any], now_ms: int) -> str | None:
    """Why `command`'s arguments are out of range, or None if they are not."""
    key = command.key
    if not MIN_LONG <= key <= MAX_LONG:
        return f"Expected the command's key to be a 64-bit integer, but it was '{_shown(key)}'"
    value = command.value
    kind = (type(value), command.value_type, command.intent)
    plan = _PLANS.get(kind)
    if plan is None:
        plan = _plan(kind)
    fields = plan.fields
    if fields.get is not None:
        numbers = fields.get(value)
        if min(numbers) < MIN_LONG or max(numbers) > MAX_LONG:
            for (json_name, _), number in zip(fields.names, numbers, strict=True):
                if not MIN_LONG <= number <= MAX_LONG:
                    return _not_a_long(json_name, number)
    for json_name, attr in fields.arrays:
        for number in getattr(value, attr):
            if not MIN_LONG <= number <= MAX_LONG:
                return _not_a_long(json_name, number)
    for json_name, attr, check in plan.rules:
        number = getattr(value, attr)
        broken = check(number, now_ms)
        if broken is not None:
            return f"Expected {json_name} to be {broken}, but it was '{number}'"
    if plan.variables:
        variables = value.variables
        if variables is not None and (variables or type(variables) is not dict):
            return _json_object_problem(variables)  # an empty object needs no look
    return None


def _not_a_long(json_name: str, number: int) -> str:
    return f"Expected {json_name} to be a 64-bit integer, but it was '{_shown(number)}'"


def _shown(number: int) -> str:
    if number.bit_length() <= 128:
        return str(number)
    return f"a number of about {int(number.bit_length() * math.log10(2))} digits"


_PLAIN: Final = frozenset({str, int, bool, type(None)})


def _json_object_problem(variables: object) -> str | None:
    """Why `variables` is not a JSON object a variable can hold, or None."""
    if type(variables) is dict:  # the common case first: flat, with plain small values
        for name, item in variables.items():
            if type(name) is not str or type(item) not in _PLAIN:
                break
            if type(item) is int and not -MAX_NUMBER <= item <= MAX_NUMBER:
                break
        else:
            return None
    elif not isinstance(variables, dict):
        return f"Expected variables to be a JSON object, but it was a {type(variables).__name__}"
    return json_value_problem(variables, "variables")
