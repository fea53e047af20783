"""The building blocks of typed record values.

Every value is a frozen, slotted dataclass whose fields are declared with `prop()`, which
records the field's JSON name (camelCase, as Zeebe's exporter writes it) and a description
for the JSON Schema. The codec and the schema generator read these declarations once per
class (see `value_codec.py`), never per record.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, field
from typing import Any, ClassVar

from broker.protocol.value_types import ValueType

DEFAULT_TENANT_ID = "<default>"
"""Zeebe's default tenant: the tenant of everything made without naming one."""

_CAMEL_BOUNDARY = re.compile(r"_([a-z0-9])")


def camel_case(snake: str) -> str:
    return _CAMEL_BOUNDARY.sub(lambda m: m.group(1).upper(), snake)


def prop(
    description: str,
    *,
    default: Any = MISSING,
    factory: Any = MISSING,
    json_name: str | None = None,
) -> Any:
    """Declare a value field: its description, its default (Zeebe's), and optionally a JSON
    name other than the camelCase of the attribute name."""
    metadata = {"description": description, "json_name": json_name}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def key_prop(description: str) -> Any:
    """A key field; `-1` when there is no such entity, as in Zeebe."""
    if "`-1`" not in description:
        description += " `-1` if none."
    return prop(description, default=-1)


def tenant_prop() -> Any:
    return prop(
        "The tenant that owns the entity (docs/tenants.md); `<default>` when none was named.",
        default=DEFAULT_TENANT_ID,
    )


def variables_prop(description: str = "Variables as a JSON object.") -> Any:
    return prop(description, factory=dict)


class ValueObject:
    """Base of every value dataclass (record values and the objects nested in them)."""

    __slots__ = ()
    DESCRIPTION: ClassVar[str] = ""


class RecordValue(ValueObject):
    """Base of the value of a record; `VALUE_TYPE` ties the class to its `valueType`."""

    __slots__ = ()
    VALUE_TYPE: ClassVar[ValueType]
    SCHEMA_NAME: ClassVar[str]
    """File stem of its JSON Schema, e.g. `process-instance` for `process-instance.schema.json`."""
