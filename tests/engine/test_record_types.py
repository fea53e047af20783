"""Processors and appliers read typed records (`Record[JobRecordValue]`, ...), so the type
checker knows the fields they read; the registries' keys must agree with those types."""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from broker.protocol import Intent, Record, ValueType
from broker.protocol.values import value_class_for
from processors.engine.appliers import EVENT_APPLIERS
from processors.engine.registries import build_registries

Table = Mapping[tuple[ValueType, Intent], Callable[..., None]]


def _declared_value_class(function: Callable[..., None]) -> Any:
    hints = typing.get_type_hints(function)
    first = next(iter(hints.values()))
    assert typing.get_origin(first) is Record, f"{function.__qualname__}: {first}"
    return typing.get_args(first)[0]


def _entries() -> list[tuple[str, tuple[ValueType, Intent], Callable[..., None]]]:
    tables: dict[str, Table] = {
        "processor": build_registries().commands,
        "applier": EVENT_APPLIERS,
    }
    return [(name, kind, f) for name, table in tables.items() for kind, f in table.items()]


@pytest.mark.parametrize(
    ("table", "kind", "function"),
    _entries(),
    ids=[f"{name}-{kind[0].value}-{kind[1].value}" for name, kind, _ in _entries()],
)
def test_each_registered_function_reads_the_value_class_of_its_key(
    table: str, kind: tuple[ValueType, Intent], function: Callable[..., None]
) -> None:
    declared = _declared_value_class(function)
    if declared is Any:
        return  # generic over value types (e.g. an applier composed of two)
    assert declared is value_class_for(kind[0]), f"{table} for {kind}: {function.__qualname__}"


def test_most_registered_functions_declare_their_value_class() -> None:
    typed = [f for _, _, f in _entries() if _declared_value_class(f) is not Any]
    assert len(typed) >= len(_entries()) - 2  # the two composed appliers
