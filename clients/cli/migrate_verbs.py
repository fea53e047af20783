"""`honeyflow migrate instance KEY --target DEFINITION_KEY --map SOURCE:TARGET ...`: move a
running process instance to another process definition (docs/operations.md, "Upgrade
running instances"), through the client like the other verbs."""

from __future__ import annotations

import click

from clients.cli.verb_options import ClusterTarget, done, verb_options


def _mappings(pairs: tuple[str, ...]) -> dict[str, str]:
    mappings: dict[str, str] = {}
    for pair in pairs:
        source, colon, target = pair.partition(":")
        if not colon or not source.strip() or not target.strip():
            raise click.BadParameter(
                f"expected SOURCE:TARGET (two element ids), but was {pair!r}", param_hint="--map"
            )
        source, target = source.strip(), target.strip()
        if source in mappings:
            raise click.BadParameter(
                f"source element {source!r} is mapped twice", param_hint="--map"
            )
        mappings[source] = target
    return mappings


@click.group()
def migrate() -> None:
    """Migrate an instance."""


@migrate.command(name="instance")
@click.argument("key", type=int)
@click.option(
    "--target",
    "target",
    type=int,
    required=True,
    metavar="DEFINITION_KEY",
    help="The process definition key to migrate to (honeyflow deploy prints it).",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="SOURCE:TARGET",
    help="An active element's id and the target element it becomes; repeat per element.",
)
@verb_options
def migrate_instance(
    key: int,
    target: int,
    pairs: tuple[str, ...],
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Migrate the process instance KEY to the process definition DEFINITION_KEY."""
    mappings = _mappings(pairs)
    with cluster.client() as client:
        client.migrate_instance(key, target, mappings)
    done(
        as_json,
        {
            "processInstanceKey": key,
            "targetProcessDefinitionKey": target,
            "mappingInstructions": [
                {"sourceElementId": s, "targetElementId": t} for s, t in mappings.items()
            ],
        },
        f"instance {key} migrated to process definition {target}",
    )
