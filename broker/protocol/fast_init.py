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


def unchecked_builder(cls: type[T], params: tuple[str, ...]) -> Any:
    """A function `build(*values_of_params)` → a `cls` instance with the other fields at their
    defaults, set as `fast_init`'s `__init__` does but positionally and without
    `__post_init__`. For hot paths that have checked what `__post_init__` checks themselves
    (the engine's writers check each record shape once)."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"unchecked_builder needs a slotted dataclass, not {cls.__name__}")
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    body = ["    self = _new(_cls)"]
    names = {field.name for field in dataclasses.fields(cls)}
    unknown = set(params) - names
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
    for field in dataclasses.fields(cls):
        name = field.name
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        if name in params:
            body.append(f"    _set_{name}(self, {name})")
        elif field.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = field.default
            body.append(f"    _set_{name}(self, _default_{name})")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = field.default_factory
            body.append(f"    _set_{name}(self, _factory_{name}())")
        else:
            raise TypeError(f"{cls.__name__}.{name} has no default: pass it")
    body.append("    return self")
    source = f"def build({', '.join(params)}):\n" + "\n".join(body)
    exec(source, namespace)  # noqa: S102 (our own field names only, as dataclasses does)
    build = namespace["build"]
    build.__qualname__ = f"{cls.__qualname__}.unchecked_build"
    build.__module__ = cls.__module__
    return build


def fast_replacer(cls: type[T], changed: tuple[str, ...]) -> Any:
    """A function `replace(obj, *values_of_changed)` → `dataclasses.replace(obj, **changes)`
    for these fields, several times faster (the same `__post_init__`, if any)."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"fast_replacer needs a slotted dataclass, not {cls.__name__}")
    names = [field.name for field in dataclasses.fields(cls)]
    unknown = set(changed) - set(names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    body = ["    new = _new(_cls)"]
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        source = name if name in changed else f"obj.{name}"
        body.append(f"    _set_{name}(new, {source})")
    if hasattr(cls, "__post_init__"):
        body.append("    new.__post_init__()")
    body.append("    return new")
    source = f"def replace(obj, {', '.join(changed)}):\n" + "\n".join(body)
    exec(source, namespace)  # noqa: S102 (our own field names only, as dataclasses does)
    replace = namespace["replace"]
    replace.__qualname__ = f"{cls.__qualname__}.replace_{'_'.join(changed)}"
    replace.__module__ = cls.__module__
    return replace
