"""Per-class JSON codecs for record values, compiled once from the dataclass declarations.

`codec_for(cls)` reads a value class's fields and type hints the first time it is asked and
returns a `ValueCodec` that turns the JSON object of a `value` into the dataclass and back
with no reflection per record. The same field table feeds the JSON Schema generator, so
the schema cannot describe a field the codec does not know.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import operator
import typing
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Generic, TypeVar

from broker.protocol.errors import RecordShapeError
from broker.protocol.values.base import ValueObject, camel_case

V = TypeVar("V", bound=ValueObject)

_JSON_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type_name(raw: object) -> str:
    """How a decoded JSON value is called in error messages."""
    return _JSON_TYPE_NAMES.get(type(raw), type(raw).__name__)


class _Mismatch(Exception):
    """Internal: a scalar did not fit; the value codec adds the field path."""

    def __init__(self, expected: str, actual: object) -> None:
        super().__init__(expected)
        self.expected = expected
        self.actual = json_type_name(actual)


class Kind:
    """How one field type maps to JSON. Subclasses decode, encode and describe themselves."""

    nested = False
    encode: Callable[[Any], Any] | None = None
    """None when the Python value is already what `json.dumps` should write."""

    def decode(self, raw: Any) -> Any:
        raise NotImplementedError

    def decode_at(self, raw: Any, path: str) -> Any:
        """Decode a nested value, naming `path` in errors (only `nested` kinds)."""
        raise NotImplementedError

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError


class _Integer(Kind):
    def decode(self, raw: Any) -> Any:
        if type(raw) is int:  # bool is a subclass of int; `type is` keeps it out
            return raw
        raise _Mismatch("integer", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "integer"}


class _String(Kind):
    def decode(self, raw: Any) -> Any:
        if type(raw) is str:
            return raw
        raise _Mismatch("string", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "string"}


class _Boolean(Kind):
    def decode(self, raw: Any) -> Any:
        if type(raw) is bool:
            return raw
        raise _Mismatch("boolean", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "boolean"}


class _Bytes(Kind):
    encode = staticmethod(lambda value: base64.b64encode(value).decode("ascii"))

    def decode(self, raw: Any) -> Any:
        if type(raw) is str:
            try:
                return base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                pass
        raise _Mismatch("base64 string", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "string", "contentEncoding": "base64"}


class _JsonObject(Kind):
    def decode(self, raw: Any) -> Any:
        if type(raw) is dict:
            return raw
        raise _Mismatch("object", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "object"}


class _StringMap(Kind):
    def decode(self, raw: Any) -> Any:
        if type(raw) is dict and all(type(v) is str for v in raw.values()):
            return raw
        raise _Mismatch("object of strings", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"type": "string"}}


class _Enum(Kind):
    def __init__(self, enum: type[StrEnum]) -> None:
        self.enum = enum
        self._members = {m.value: m for m in enum}

    def decode(self, raw: Any) -> Any:
        member = self._members.get(raw) if type(raw) is str else None
        if member is None:
            raise _Mismatch(f"one of {', '.join(self._members)}", raw)
        return member

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self._members)}


class _ScalarArray(Kind):
    def __init__(self, item: Kind) -> None:
        self.item = item

    def decode(self, raw: Any) -> Any:
        if type(raw) is list:
            try:
                return tuple([self.item.decode(x) for x in raw])
            except _Mismatch as mismatch:
                raise _Mismatch(f"array of {mismatch.expected}", raw) from None
        raise _Mismatch("array", raw)

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema(ref)}


class _ObjectArray(Kind):
    nested = True

    def __init__(self, cls: type[ValueObject]) -> None:
        self.cls = cls

    def decode_at(self, raw: Any, path: str) -> Any:
        if type(raw) is not list:
            raise RecordShapeError(path, "array", json_type_name(raw))
        codec = codec_for(self.cls)
        return tuple([codec.decode(x, f"{path}[{i}]") for i, x in enumerate(raw)])

    def encode(self, value: Any) -> Any:
        codec = codec_for(self.cls)
        return [codec.encode(x) for x in value]

    def schema(self, ref: Callable[[type[ValueObject]], dict[str, Any]]) -> dict[str, Any]:
        return {"type": "array", "items": ref(self.cls)}


_SCALARS: dict[Any, Kind] = {
    int: _Integer(),
    str: _String(),
    bool: _Boolean(),
    bytes: _Bytes(),
    dict[str, Any]: _JsonObject(),
    dict[str, str]: _StringMap(),
}


def _kind_for(hint: Any, where: str) -> Kind:
    if hint in _SCALARS:
        return _SCALARS[hint]
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return _Enum(hint)
    if typing.get_origin(hint) is tuple:
        item, ellipsis = typing.get_args(hint)
        if ellipsis is Ellipsis:
            if isinstance(item, type) and issubclass(item, ValueObject):
                return _ObjectArray(item)
            return _ScalarArray(_kind_for(item, where))
    raise TypeError(f"{where}: no JSON mapping for type {hint!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class FieldCodec:
    """One field of a value class: Python attribute, JSON name, description, JSON kind."""

    attr: str
    json_name: str
    description: str
    kind: Kind
    default: Any


class ValueCodec(Generic[V]):
    """Decodes and encodes one value class; built once per class by `codec_for`."""

    def __init__(self, cls: type[V]) -> None:
        self.cls = cls
        hints = typing.get_type_hints(cls)
        fields: list[FieldCodec] = []
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            json_name = f.metadata.get("json_name") or camel_case(f.name)
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                raise TypeError(f"{cls.__name__}.{f.name} needs a default (Zeebe's)")
            kind = _kind_for(hints[f.name], f"{cls.__name__}.{f.name}")
            fields.append(FieldCodec(f.name, json_name, f.metadata["description"], kind, default))
        self.fields: tuple[FieldCodec, ...] = tuple(fields)
        self._by_json = {f.json_name: f for f in fields}
        self._names = tuple(f.json_name for f in fields)
        self._encoders = tuple(f.kind.encode for f in fields)
        self._plain = all(e is None for e in self._encoders)
        self._documents = tuple(
            f.json_name for f in fields if isinstance(f.kind, _JsonObject | _StringMap)
        )
        self._arrays = tuple(
            (f.json_name, f.kind.cls) for f in fields if isinstance(f.kind, _ObjectArray)
        )
        attrs = [f.attr for f in fields]
        getter = operator.attrgetter(*attrs)
        # attrgetter of a single name returns the value itself, not a 1-tuple.
        self._get: Callable[[Any], tuple[Any, ...]] = (
            getter if len(attrs) > 1 else (lambda v: (getter(v),))
        )

    def decode(self, obj: Any, path: str = "value") -> V:
        """The value held by the JSON object `obj`; missing fields take Zeebe's defaults."""
        if type(obj) is not dict:
            raise RecordShapeError(path, "object", json_type_name(obj))
        by_json = self._by_json
        kwargs: dict[str, Any] = {}
        for name, raw in obj.items():
            f = by_json.get(name)
            if f is None:
                raise RecordShapeError(
                    f"{path}.{name}",
                    f"no such field in {self.cls.__name__} (known: {', '.join(self._names)})",
                )
            kind = f.kind
            if kind.nested:
                kwargs[f.attr] = kind.decode_at(raw, f"{path}.{name}")
                continue
            try:
                kwargs[f.attr] = kind.decode(raw)
            except _Mismatch as mismatch:
                raise RecordShapeError(
                    f"{path}.{name}", mismatch.expected, mismatch.actual
                ) from None
        return self.cls(**kwargs)

    def encode(self, value: V) -> dict[str, Any]:
        """The JSON object of `value`, every field present, in declaration order."""
        values = self._get(value)
        if self._plain:
            return dict(zip(self._names, values, strict=True))
        return {
            name: (v if enc is None else enc(v))
            for name, enc, v in zip(self._names, self._encoders, values, strict=True)
        }

    def plain_documents(self, obj: dict[str, Any]) -> bool:
        """Whether the free-form fields of this value's JSON object `obj` (from `encode`:
        documents and string maps, also in arrays of values) hold only strings, ints,
        booleans, nulls, lists, tuples and dicts with string keys (no float, no other type);
        the other fields hold what their declared types say."""
        for name in self._documents:
            item = obj[name]
            if item and not _plain_json(item):
                return False
        for name, cls in self._arrays:
            items = obj[name]
            if items:
                codec = codec_for(cls)
                if not all(codec.plain_documents(item) for item in items):
                    return False
        return True


def _plain_json(document: Any) -> bool:
    stack = [document]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                kind = type(child)
                if kind is str or kind is int or kind is bool or child is None:
                    continue
                if kind is dict or kind is list or kind is tuple:
                    stack.append(child)
                    continue
                return False
        elif kind is list or kind is tuple:
            for child in item:
                kind = type(child)
                if kind is str or kind is int or kind is bool or child is None:
                    continue
                if kind is dict or kind is list or kind is tuple:
                    stack.append(child)
                    continue
                return False
        elif not (kind is str or kind is int or kind is bool or item is None):
            return False
    return True


_CODECS: dict[type[Any], ValueCodec[Any]] = {}


def codec_for(cls: type[V]) -> ValueCodec[V]:
    """The codec of a value class, built on first use and cached."""
    codec = _CODECS.get(cls)
    if codec is None:
        codec = _CODECS[cls] = ValueCodec(cls)
    return codec


__all__ = ["FieldCodec", "Kind", "ValueCodec", "codec_for", "json_type_name"]
