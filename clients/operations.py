"""Operator's calls, mixed into `Client` and `AsyncClient`: modify a running process instance
(activate elements, terminate element instances — Zeebe's ModifyProcessInstance) and delete a
deployed resource (Zeebe's DeleteResource). Both go to the partition their key names, on
memory:// and kafka:// alike; a refused command raises a `RejectedError` with Zeebe's
rejection type and reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceModificationIntent, ResourceDeletionIntent
from broker.protocol.values import (
    ModificationActivateInstruction,
    ModificationTerminateInstruction,
    ModificationVariableInstruction,
    ProcessInstanceModificationRecordValue,
    ResourceDeletionRecordValue,
)
from clients import commands as c
from clients.arguments import Arguments


@dataclass(frozen=True, slots=True)
class ActivatedElement:
    element_id: str
    ancestor_scope_keys: tuple[int, ...]
    """The flow scope instances the element was activated in, the process instance first."""


@dataclass(frozen=True, slots=True)
class Modification:
    """What `modify_instance` did (the engine's MODIFIED event)."""

    process_instance_key: int
    activated: tuple[ActivatedElement, ...]
    terminated: tuple[int, ...]


def _activation(a: Arguments, index: int, item: object) -> ModificationActivateInstruction:
    name = f"activate[{index}]"
    if isinstance(item, str):
        item = {"elementId": item}
    if not isinstance(item, Mapping):
        a.fail(name, f"must be an element id or a dict with 'elementId', but was {item!r}")
    known = {"elementId", "ancestorElementInstanceKey", "variables", "variableInstructions"}
    unknown = sorted(str(k) for k in item if k not in known)
    if unknown:
        a.fail(name, f"has unknown entries {unknown}; expected some of {sorted(known)}")
    ancestor = item.get("ancestorElementInstanceKey")
    scoped: list[ModificationVariableInstruction] = []
    if item.get("variables") is not None:
        scoped.append(
            ModificationVariableInstruction(a.variables(f"{name}.variables", item["variables"]))
        )
    for i, entry in enumerate(
        _list(a, f"{name}.variableInstructions", item.get("variableInstructions", []))
    ):
        where = f"{name}.variableInstructions[{i}]"
        if not isinstance(entry, Mapping):
            a.fail(where, f"must be a dict with 'variables' and 'scopeId', but was {entry!r}")
        scoped.append(
            ModificationVariableInstruction(
                a.variables(f"{where}.variables", entry.get("variables"), required=True),
                a.text(f"{where}.scopeId", entry.get("scopeId", "")),
            )
        )
    return ModificationActivateInstruction(
        element_id=a.text(f"{name}.elementId", item.get("elementId"), required=True),
        ancestor_scope_key=-1 if ancestor in (None, -1) else a.key(f"{name}.ancestor", ancestor),
        variable_instructions=tuple(scoped),
    )


def _list(a: Arguments, name: str, value: object) -> list[object]:
    if not isinstance(value, (list, tuple)):
        a.fail(name, f"must be a list, but was {value!r}")
    return list(value)


def modify_command(key: object, activate: object, terminate: object) -> Record[Any]:
    a = Arguments("modify_instance")
    instance = a.key("key", key)
    activate = _list(a, "activate", activate)
    terminate = _list(a, "terminate", terminate)
    value = ProcessInstanceModificationRecordValue(
        process_instance_key=instance,
        activate_instructions=tuple(_activation(a, i, x) for i, x in enumerate(activate)),
        terminate_instructions=tuple(
            ModificationTerminateInstruction(a.key(f"terminate[{i}]", k))
            for i, k in enumerate(terminate)
        ),
    )
    return Record.command(ProcessInstanceModificationIntent.MODIFY, value, key=instance)


def modification_result(answer: Record[Any]) -> Modification:
    value: ProcessInstanceModificationRecordValue = c.check(answer).value
    return Modification(
        process_instance_key=value.process_instance_key,
        activated=tuple(
            ActivatedElement(i.element_id, tuple(i.ancestor_scope_keys))
            for i in value.activate_instructions
        ),
        terminated=tuple(t.element_instance_key for t in value.terminate_instructions),
    )


def delete_command(key: object) -> Record[Any]:
    resource_key = Arguments("delete_resource").key("key", key)
    return Record.command(
        ResourceDeletionIntent.DELETE, ResourceDeletionRecordValue(resource_key=resource_key)
    )


class _Caller(Protocol):
    def _call(
        self, command: Record[Any], partition: int, timeout: float | None = None
    ) -> Record[Any]: ...


class OperationCalls:
    """The operator's methods of `Client`."""

    def modify_instance(
        self: _Caller,
        key: int,
        activate: Sequence[Mapping[str, Any] | str] = (),
        terminate: Sequence[int] = (),
    ) -> Modification:
        """Activate elements and terminate element instances of process instance `key`, all
        at once or not at all. Each activation is an element id or a dict: `elementId`,
        optional `ancestorElementInstanceKey` (the flow scope instance to activate it in),
        `variables` (set in the process instance's scope) and `variableInstructions`
        (`[{"scopeId": ELEMENT_ID, "variables": {...}}]`, set in that flow scope or the
        element itself). `terminate` lists element instance keys."""
        command = modify_command(key, activate, terminate)
        return modification_result(self._call(command, c.partition_of(command.key)))

    def delete_resource(self: _Caller, key: int) -> None:
        """Delete the process definition, decision requirements graph or form with `key` on
        every partition. A process definition with running instances is refused
        (INVALID_STATE), as in Zeebe 8.8; an unknown key is NOT_FOUND."""
        command = delete_command(key)
        c.check(self._call(command, c.partition_of(command.value.resource_key)))


class _Runner(Protocol):
    async def _run(self, method: str, *args: Any, **kwargs: Any) -> Any: ...


class AsyncOperationCalls:
    """The operator's methods of `AsyncClient`: those of `OperationCalls`, awaitable."""

    async def modify_instance(
        self: _Runner,
        key: int,
        activate: Sequence[Mapping[str, Any] | str] = (),
        terminate: Sequence[int] = (),
    ) -> Modification:
        result: Modification = await self._run("modify_instance", key, activate, terminate)
        return result

    async def delete_resource(self: _Runner, key: int) -> None:
        await self._run("delete_resource", key)
