"""A cheaper `__init__` for frozen, slotted dataclasses that are built by the ten thousand.

A frozen dataclass's generated `__init__` sets every field through `object.__setattr__`,
which costs about as much as the rest of building the object together (the engine builds
tens of records and record values per process instance). `fast_init` replaces it by one
that stores each field through its slot descriptor instead: the same signature, defaults,
default factories and `__post_init__`, the instances exactly as frozen as before.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Apply below `@dataclass(frozen=True, slots=True)` (i.e. after it)."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"fast_init needs a slotted dataclass, not {cls.__name__}")
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for field in dataclasses.fields(cls):
        if not field.init:
            raise TypeError(f"fast_init does not handle init=False fields ({field.name})")
        name = field.name
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = field.default
            param = f"{name}=_default_{name}"
            body.append(f"    _set_{name}(self, {name})")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = field.default_factory
            param = f"{name}=_MISSING"
            body.append(
                f"    _set_{name}(self, _factory_{name}() if {name} is _MISSING else {name})"
            )
        else:
            param = name
            body.append(f"    _set_{name}(self, {name})")
        (keyword if field.kw_only else positional).append(param)
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}) -> None:\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 (our own field names only, as dataclasses does)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    type.__setattr__(cls, "__init__", init)
    return cls
