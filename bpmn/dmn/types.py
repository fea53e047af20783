"""DMN type conformance (DMN 1.4, 10.3.2.9.4): a value that does not conform to its declared
type (a FEEL base type or an item definition) becomes null; a singleton list and its element
convert into each other where the type asks for it. Unknown types (Camunda 7's `integer`,
`long`, `double`) are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from bpmn.dmn.model import ItemDefinition
from bpmn.feel.values import feel_type_name

Typing = Literal["camunda", "dmn"]
"""Whose type rules an evaluation follows: Camunda's DMN engine (what Zeebe runs) checks a
decision's result and a function's arguments against a FEEL base type and fails on a
mismatch, and declares nothing elsewhere; DMN (and its TCK) makes a non-conforming value null
wherever a type is declared, item definitions included."""

# the types Camunda's engine checks, by the FEEL type name of a conforming value
_CAMUNDA_CHECKED = {
    "string": ("string",),
    "number": ("number",),
    "boolean": ("boolean",),
    "time": ("time",),
    "date": ("date",),
    "dateTime": ("date and time",),
    "dayTimeDuration": ("days and time duration",),
    "yearMonthDuration": ("years and months duration",),
}


def camunda_type_mismatch(value: Any, type_ref: str | None) -> str | None:
    """Why `value` fails Camunda's check of `type_ref` (`feel:` prefix allowed), or None."""
    if value is None or not type_ref:
        return None
    name = type_ref.removeprefix("feel:")
    accepted = _CAMUNDA_CHECKED.get(name)
    if accepted is None or feel_type_name(value) in accepted:
        return None
    from bpmn.feel.formatting import format_value

    shown = f'"{value}"' if isinstance(value, str) else str(format_value(value))
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"expected '{name}' but found '{shown}'"


_BUILTIN_TYPES = {
    "number": "number",
    "string": "string",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "dateTime": "date and time",
    "date and time": "date and time",
    "dayTimeDuration": "days and time duration",
    "days and time duration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "years and months duration": "years and months duration",
    "context": "context",
    "list": "list",
    "function": "function",
}


def _local(type_ref: str) -> str:
    # DMN 1.1 writes QNames (`feel:string`, `tns:tPerson`); later versions plain names
    return type_ref.split(":")[-1] if ":" in type_ref and " " not in type_ref else type_ref


class TypeSystem:
    def __init__(self, definitions: Mapping[str, ItemDefinition]) -> None:
        self.definitions = definitions

    def instance_of(self, name: str, value: Any) -> bool | None:
        """`value instance of name` for a type the model declares (allowed values aside, as
        the DMN TCK has it); None when the model declares no such type."""
        definition = self.definitions.get(_local(name))
        if definition is None:
            return None
        return self._conforms_to_definition(value, definition, allowed=False)

    def conforms(self, value: Any, type_ref: str | None) -> bool:
        if value is None or not type_ref or type_ref == "Any":
            return True
        name = _local(type_ref)
        definition = self.definitions.get(name)
        if definition is not None:
            return self._conforms_to_definition(value, definition)
        expected = _BUILTIN_TYPES.get(name)
        if expected is None:
            return True  # a type we do not know: no coercion
        if expected == "function":
            return callable(value)
        return bool(feel_type_name(value) == expected)

    def _conforms_to_definition(
        self, value: Any, definition: ItemDefinition, allowed: bool = True
    ) -> bool:
        if definition.collection:
            element = ItemDefinition(
                definition.name,
                definition.type_ref,
                False,
                definition.components,
                definition.allowed_values,  # they constrain the elements
                definition.function,
            )
            return isinstance(value, list) and all(
                self._conforms_to_definition(item, element, allowed) for item in value
            )
        if definition.function:
            return callable(value)
        if definition.components:
            return isinstance(value, dict) and all(
                component.name in value
                and self._conforms_to_definition(value[component.name], component, allowed)
                for component in definition.components
            )
        if not allowed:
            return self._is_of(value, definition.type_ref)
        return self.conforms(value, definition.type_ref) and self._allowed(value, definition)

    def _is_of(self, value: Any, type_ref: str | None) -> bool:
        definition = self.definitions.get(_local(type_ref)) if type_ref else None
        if definition is not None:
            return self._conforms_to_definition(value, definition, allowed=False)
        return self.conforms(value, type_ref)

    @staticmethod
    def _allowed(value: Any, definition: ItemDefinition) -> bool:
        tests = definition.allowed_values
        if tests is None or tests.compiled is None or value is None:
            return True
        try:
            return tests.compiled.matches(value, {}) is True
        except Exception:  # an allowed-values test that fails to run admits nothing
            return False

    def _is_collection(self, type_ref: str) -> bool:
        definition = self.definitions.get(_local(type_ref))
        return _local(type_ref) == "list" or (definition is not None and definition.collection)

    def coerce(self, value: Any, type_ref: str | None) -> Any:
        if self.conforms(value, type_ref):
            return value
        assert type_ref is not None
        if self._is_collection(type_ref) and not isinstance(value, list):
            return [value] if self.conforms([value], type_ref) else None
        if isinstance(value, list) and len(value) == 1 and self.conforms(value[0], type_ref):
            return value[0]
        return None
