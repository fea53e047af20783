"""`honeyflow modify instance KEY --activate ELEMENT[:ANCESTOR_KEY] ... --terminate KEY ...` and
`honeyflow delete resource KEY`: the operator's repairs of docs/operations.md ("Skip a broken
step", "Clean up a bad deployment"), through the client like the other verbs."""

from __future__ import annotations

from typing import Any

import click

from clients.cli.verb_options import ClusterTarget, done, variables_of, verb_options


def _activation(text: str) -> dict[str, Any]:
    element_id, colon, ancestor = text.partition(":")
    element_id = element_id.strip()
    if not element_id:
        raise click.BadParameter(
            f"expected ELEMENT or ELEMENT:ANCESTOR_KEY, but was {text!r}", param_hint="--activate"
        )
    if not colon:
        return {"elementId": element_id}
    try:
        return {"elementId": element_id, "ancestorElementInstanceKey": int(ancestor)}
    except ValueError:
        raise click.BadParameter(
            f"the ancestor after ':' must be an element instance key, but was {ancestor!r}",
            param_hint="--activate",
        ) from None


@click.group()
def modify() -> None:
    """Modify an instance."""


@modify.command(name="instance")
@click.argument("key", type=int)
@click.option(
    "--activate",
    "activations",
    multiple=True,
    metavar="ELEMENT[:ANCESTOR_KEY]",
    help="Activate this element (in the flow scope instance ANCESTOR_KEY); repeatable.",
)
@click.option(
    "--terminate",
    "terminations",
    multiple=True,
    type=int,
    metavar="ELEMENT_INSTANCE_KEY",
    help="Terminate this element instance and everything inside it; repeatable.",
)
@click.option(
    "--variables",
    default=None,
    help="Variables (a JSON object) set with the first --activate, in the process instance's"
    " scope or the one --variables-scope names.",
)
@click.option(
    "--variables-scope",
    default="",
    metavar="ELEMENT",
    help="The element (the activated one or one of its flow scopes) to set --variables in.",
)
@verb_options
def modify_instance(
    key: int,
    activations: tuple[str, ...],
    terminations: tuple[int, ...],
    variables: str | None,
    variables_scope: str,
    cluster: ClusterTarget,
    as_json: bool,
) -> None:
    """Activate elements and terminate element instances of the process instance KEY, all at
    once or not at all."""
    activate = [_activation(a) for a in activations]
    document = variables_of(variables)
    if document is not None:
        if not activate:
            raise click.UsageError("--variables needs an --activate to go with")
        activate[0]["variableInstructions"] = [{"scopeId": variables_scope, "variables": document}]
    if not activate and not terminations:
        raise click.UsageError("nothing to do: give --activate or --terminate")
    with cluster.client() as client:
        result = client.modify_instance(key, activate=activate, terminate=list(terminations))
    done(
        as_json,
        {
            "processInstanceKey": key,
            "activated": [
                {"elementId": a.element_id, "ancestorScopeKeys": list(a.ancestor_scope_keys)}
                for a in result.activated
            ],
            "terminated": list(result.terminated),
        },
        f"instance {key} modified: {len(result.activated)} activated,"
        f" {len(result.terminated)} terminated",
    )


@click.group()
def delete() -> None:
    """Delete a resource."""


@delete.command(name="resource")
@click.argument("key", type=int)
@verb_options
def delete_resource(key: int, cluster: ClusterTarget, as_json: bool) -> None:
    """Delete the process definition, decision requirements graph or form with KEY."""
    with cluster.client() as client:
        client.delete_resource(key)
    done(as_json, {"resourceKey": key}, f"resource {key} deleted")
