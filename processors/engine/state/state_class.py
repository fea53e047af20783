"""`state_class`: the decorator of the engine's own value objects built by the ten thousand
(element instances, element calls), which only engine code ever sees.

They are immutable by contract: a change is a new object (the state's decoded caches depend on
it). The type checker enforces that (every field read-only, as for `frozen=True`); at run time
they are plain slotted dataclasses, because a frozen dataclass sets each field through a call
(`object.__setattr__`, or a slot descriptor with `fast_init`) and building one costs about
three times as much. Records and record values, which leave the engine, stay frozen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def state_class(cls: type[T]) -> type[T]:
    return dataclass(slots=True, unsafe_hash=True)(cls)
