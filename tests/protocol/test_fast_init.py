"""`fast_init` keeps a frozen dataclass's constructor as it was: signature, defaults, fresh
default factories, `__post_init__` (the record shape check) and immutability. `fast_replacer`
is `dataclasses.replace` for fixed fields; `unchecked_builder` builds without `__post_init__`,
and records of a shape the engine has not checked yet are still checked."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from broker.protocol import Record, RecordType
from broker.protocol.errors import InvalidIntentError, RecordShapeError
from broker.protocol.fast_init import fast_init, fast_replacer, unchecked_builder
from broker.protocol.intents import JobIntent, VariableIntent
from broker.protocol.value_types import ValueType
from broker.protocol.values import (
    JobRecordValue,
    ProcessInstanceRecordValue,
    VariableRecordValue,
)
from processors.engine.results import EventAppliers, ResultBuilder


@dataclasses.dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str = "x"
    c: list[int] = dataclasses.field(default_factory=list)
    d: int = dataclasses.field(default=4, kw_only=True)


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Fast:
    a: int
    b: str = "x"
    c: list[int] = dataclasses.field(default_factory=list)
    d: int = dataclasses.field(default=4, kw_only=True)


def test_same_signature_defaults_and_fresh_factories() -> None:
    plain = inspect.signature(_Plain).parameters.values()
    fast = inspect.signature(_Fast).parameters.values()
    assert [(p.name, p.kind, p.default) for p in plain if p.name != "c"] == [
        (p.name, p.kind, p.default) for p in fast if p.name != "c"
    ]
    one, two = _Fast(1), _Fast(2, "y", [3], d=5)
    assert (one.a, one.b, one.c, one.d) == (1, "x", [], 4)
    assert (two.a, two.b, two.c, two.d) == (2, "y", [3], 5)
    assert _Fast(1).c is not one.c
    assert one == _Fast(1)
    with pytest.raises(TypeError):
        _Fast()  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 3  # type: ignore[misc]


def test_records_and_values_keep_their_checks_and_replace() -> None:
    with pytest.raises(RecordShapeError):
        Record(
            record_type=RecordType.EVENT,
            value_type=ValueType.JOB,
            intent=JobIntent.CREATED,
            value=ProcessInstanceRecordValue(),
        )
    value = JobRecordValue(type="work")
    record = Record.event(JobIntent.CREATED, value, key=1, partition_id=1, timestamp=0)
    assert dataclasses.replace(record, key=2).key == 2
    assert dataclasses.replace(value, retries=3) == JobRecordValue(type="work", retries=3)
    assert JobRecordValue().variables is not JobRecordValue().variables
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.key = 3  # type: ignore[misc]


def test_fast_replacer_is_replace_for_its_fields() -> None:
    value = JobRecordValue(type="work", retries=3, variables={"a": 1})
    replace = fast_replacer(JobRecordValue, ("worker", "variables"))
    assert replace(value, "w", {}) == dataclasses.replace(value, worker="w", variables={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        replace(value, "w", {}).retries = 1
    with pytest.raises(TypeError, match="no fields"):
        fast_replacer(JobRecordValue, ("nope",))


def test_unchecked_builder_sets_the_rest_to_defaults() -> None:
    build = unchecked_builder(_Fast, ("a",))
    built = build(7)
    assert built == _Fast(7)
    assert build(1).c is not build(1).c
    with pytest.raises(TypeError, match="no default"):
        unchecked_builder(_Fast, ("b",))


def test_the_writers_check_each_shape_before_building_it_unchecked() -> None:
    builder = ResultBuilder(1, 0, lambda: 0, last_position=0, appliers=EventAppliers({}, None))
    created = VariableRecordValue(name="a", value="1")
    builder.event(1, VariableIntent.CREATED, created)
    # JobIntent.CREATED equals VariableIntent.CREATED as a string: a known shape must not let
    # a job intent through with a variable value.
    with pytest.raises(InvalidIntentError):
        builder.event(2, JobIntent.CREATED, created)
    # A command shape is not an event shape: an event with a command intent stays rejected.
    builder.follow_up(4, JobIntent.COMPLETE, JobRecordValue())
    with pytest.raises(InvalidIntentError):
        builder.event(5, JobIntent.COMPLETE, JobRecordValue())
    again = builder.event(3, VariableIntent.CREATED, created)
    assert again == Record.event(
        VariableIntent.CREATED,
        created,
        key=3,
        partition_id=1,
        timestamp=0,
        source_record_position=-1,
        position=again.position,
    )
