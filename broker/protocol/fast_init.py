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


def _slotted_fields(cls: type, user: str, named: tuple[str, ...] = ()) -> list[Any]:
    """The dataclass fields of `cls`, which must be a slotted dataclass having every field in
    `named`."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{user} needs a slotted dataclass, not {cls.__name__}")
    fields = list(dataclasses.fields(cls))
    unknown = set(named) - {field.name for field in fields}
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return fields


def _define(cls: type, name: str, params: str, body: list[str], namespace: dict[str, Any]) -> Any:
    """Compile `def <name>(<params>): <body>` in `namespace`, named as a member of `cls`."""
    source = f"def {name}({params}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 (our own field names only, as dataclasses does)
    function = namespace[name]
    function.__module__ = cls.__module__
    return function


def fast_init(cls: type[T]) -> type[T]:
    """Apply below `@dataclass(frozen=True, slots=True)` (i.e. after it)."""
    fields = _slotted_fields(cls, "fast_init")
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for field in fields:
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
    init = _define(cls, "__init__", params, body, namespace)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    type.__setattr__(cls, "__init__", init)
    return cls


def unchecked_builder(cls: type[T], params: tuple[str, ...]) -> Any:
    """A function `build(*values_of_params)` → a `cls` instance with the other fields at their
    defaults, set as `fast_init`'s `__init__` does but positionally and without
    `__post_init__`. For hot paths that have checked what `__post_init__` checks themselves
    (the engine's writers check each record shape once)."""
    fields = _slotted_fields(cls, "unchecked_builder", params)
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    body = ["    self = _new(_cls)"]
    for field in fields:
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
    build = _define(cls, "build", ", ".join(params), body, namespace)
    build.__qualname__ = f"{cls.__qualname__}.unchecked_build"
    return build


def fast_replacer(cls: type[T], changed: tuple[str, ...]) -> Any:
    """A function `replace(obj, *values_of_changed)` → `dataclasses.replace(obj, **changes)`
    for these fields, several times faster (the same `__post_init__`, if any)."""
    names = [field.name for field in _slotted_fields(cls, "fast_replacer", changed)]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    body = ["    new = _new(_cls)"]
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        source = name if name in changed else f"obj.{name}"
        body.append(f"    _set_{name}(new, {source})")
    if hasattr(cls, "__post_init__"):
        body.append("    new.__post_init__()")
    body.append("    return new")
    replace = _define(cls, "replace", ", ".join(["obj", *changed]), body, namespace)
    replace.__qualname__ = f"{cls.__qualname__}.replace_{'_'.join(changed)}"
    return replace
