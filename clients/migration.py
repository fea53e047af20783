"""The client's side of process instance migration: the MIGRATE command built from checked
arguments. `Client.migrate_instance` and its asyncio twin send it to the instance's
partition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceMigrationIntent
from broker.protocol.values import MappingInstruction, ProcessInstanceMigrationRecordValue
from clients.arguments import Arguments


def migrate_command(
    key: object, target_process_definition_key: object, mappings: object
) -> Record[Any]:
    """MIGRATE process instance `key` to the definition `target_process_definition_key`,
    each active element of `mappings`' source ids becoming the target id's."""
    a = Arguments("migrate_instance")
    instance = a.key("key", key)
    target = a.key("target_process_definition_key", target_process_definition_key)
    if not isinstance(mappings, Mapping):
        a.fail(
            "mappings",
            "must be a dict of source element id → target element id, but was"
            f" {type(mappings).__name__}",
        )
    pairs = [
        (
            a.text(f"mappings key {source!r}", source, required=True),
            a.text(f"mappings[{source!r}]", target_id, required=True),
        )
        for source, target_id in mappings.items()
    ]
    return migration_record(instance, target, pairs)


def migration_record(
    key: int, target_process_definition_key: int, pairs: Sequence[tuple[str, str]]
) -> Record[Any]:
    """The MIGRATE command as given, instruction by instruction (the gateway passes a
    request's on unchecked: the engine refuses a source mapped twice or an unknown element)."""
    return Record.command(
        ProcessInstanceMigrationIntent.MIGRATE,
        ProcessInstanceMigrationRecordValue(
            process_instance_key=key,
            target_process_definition_key=target_process_definition_key,
            mapping_instructions=tuple(MappingInstruction(s, t) for s, t in pairs),
        ),
        key=key,
    )
