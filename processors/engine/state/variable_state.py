"""Variables per scope (element instance key), each with its variable key, and the lookups
FEEL evaluation needs: one scope's variables, and every variable visible from a scope (inner
scopes shadow outer ones; a scope's parent is its element instance's flow scope)."""

from __future__ import annotations

from typing import Any

from processors.engine.kv_store import KeyValueStore, pack_int, pack_int_text
from processors.engine.state.element_instance_state import ElementInstanceReader

_VARIABLES = "variables"


class VariableReader:
    def __init__(self, store: KeyValueStore, elements: ElementInstanceReader) -> None:
        self._store = store
        self._elements = elements

    def get_local(self, scope_key: int, name: str) -> tuple[int, Any] | None:
        """(variable key, value) of `name` in the scope itself."""
        raw = self._store.get(_VARIABLES, pack_int_text(scope_key, name))
        return None if raw is None else (raw[0], raw[1])

    def local(self, scope_key: int) -> dict[str, Any]:
        prefix = pack_int(scope_key)
        result: dict[str, Any] = {}
        for key, raw in self._store.iterate(_VARIABLES, prefix):
            result[key[len(prefix) : -1].decode("utf-8")] = raw[1]
        return result

    def parent_scope(self, scope_key: int) -> int:
        instance = self._elements.get(scope_key)
        return -1 if instance is None else instance.flow_scope_key

    def scope_chain(self, scope_key: int) -> list[int]:
        """The scope and its ancestors, innermost first."""
        chain = []
        while scope_key != -1:
            chain.append(scope_key)
            scope_key = self.parent_scope(scope_key)
        return chain

    def visible(self, scope_key: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for scope in reversed(self.scope_chain(scope_key)):
            result.update(self.local(scope))
        return result

    def find(self, scope_key: int, name: str) -> tuple[int, int, Any] | None:
        """(scope, variable key, value) of the innermost visible variable `name`."""
        for scope in self.scope_chain(scope_key):
            found = self.get_local(scope, name)
            if found is not None:
                return scope, found[0], found[1]
        return None


class VariableState(VariableReader):
    def put(self, scope_key: int, name: str, variable_key: int, value: Any) -> None:
        self._store.put(_VARIABLES, pack_int_text(scope_key, name), [variable_key, value])

    def remove_scope(self, scope_key: int) -> None:
        for key, _ in self._store.iterate(_VARIABLES, pack_int(scope_key)):
            self._store.delete(_VARIABLES, key)
